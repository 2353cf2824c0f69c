"""Generated data for a user's project: the project's own models (and users) filled to size n."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perfkit.errors import one_line

#: The superuser bench creates at every size, for views that need a login.
SUPERUSER = "perfkit-bench"

#: Rows each row of a many-to-many field is linked to: more than one, so that a per-row
#: ``.all()`` in a template returns something to loop over.
M2M_LINKS = 3

#: Field types never filled with generated values: they write files.
_FILE_FIELDS = ("FileField", "ImageField")


def project_models(root: Path) -> list[type]:
    """Concrete, managed models of the apps under ``root``, plus the user model."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    root = root.resolve()
    found = [get_user_model()]
    for config in apps.get_app_configs():
        if not Path(config.path).resolve().is_relative_to(root):
            continue
        for model in config.get_models():
            meta = model._meta
            if meta.managed and not meta.proxy and model not in found:
                found.append(model)
    return dependency_order(found)


def dependency_order(models: list[type]) -> list[type]:
    """``models`` with every model after the models its foreign keys point to.

    A cycle is broken at a nullable foreign key (left empty), else at the first model.
    """
    remaining = list(models)
    ordered: list[type] = []
    while remaining:
        ready = _ready(remaining, required_only=False) or _ready(remaining, required_only=True)
        ordered.extend(ready or remaining[:1])
        remaining = [m for m in remaining if m not in ordered]
    return ordered


def _ready(remaining: list[type], *, required_only: bool) -> list[type]:
    return [
        model
        for model in remaining
        if all(p is model or p not in remaining for p in _parents(model, required_only))
    ]


def _parents(model: type, required_only: bool) -> Iterator[type]:
    for column in model._meta.concrete_fields:
        if column.many_to_one or column.one_to_one:
            if required_only and column.null:
                continue
            yield column.related_model


@dataclass
class Filled:
    """What :func:`fill` made: rows per model, and the models it could not fill, with why."""

    rows: dict[type, list[Any]] = field(default_factory=dict)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def skip(self, model: type, reason: str) -> None:
        self.skipped.append({"model": model._meta.label, "reason": reason})


def fill(models: list[type], n: int, *, seed: int = 0) -> Filled:
    """Add ``n`` rows to each model (in dependency order), then link the many-to-many fields.

    A foreign key points at an existing row of its model where there is one: every other row
    at the first, so one object has many related rows (per-row queries show), the rest spread.
    Foreign keys that a uniqueness rule covers take distinct combinations instead. Each model
    is made in its own savepoint, then row by row if the batch was refused (a constraint, a
    ``save()`` that rejects a value, a row a signal already made): a model that gets no row
    is a skip with the reason, never the end of the run.
    """
    from django.db import transaction
    from model_bakery import baker

    baker.seed(seed)
    _teach_baker(models)
    filled = Filled()
    with transaction.atomic():
        for model in models:
            before = model._default_manager.count()
            rows, error = _make(model, _attributes(model, filled.rows, n), n)
            if not rows and before:
                # The project made them (a post_save signal, a data migration): use those.
                rows = list(model._default_manager.order_by("pk")[:n])
            if rows:
                filled.rows[model] = rows
            if error is not None and len(rows) < n:
                made = f"made {len(rows)} of {n} rows" if rows else "made no row"
                if before:
                    made += f" ({before} made by the project itself, by a signal or migration)"
                filled.skip(model, f"{made}: {one_line(error)}")
        for model, rows in filled.rows.items():
            for relation in model._meta.many_to_many:
                try:
                    with transaction.atomic():
                        _link(relation, rows, filled.rows.get(relation.related_model, []))
                except Exception as error:
                    filled.skip(model, f"{relation.name} not linked: {one_line(error)}")
    return filled


def _teach_baker(models: list[type]) -> None:
    """Custom field classes get the generator of the nearest field class baker knows.

    model_bakery refuses a field class it has no generator for, even a plain subclass
    (django-mdeditor's ``MDTextField`` of ``TextField``, django-extensions'
    ``CreationDateTimeField`` of ``DateTimeField``): the model then got no row at all.
    """
    from model_bakery import generators

    known = generators.get_type_mapping()
    for model in models:
        for column in model._meta.concrete_fields:
            kind = type(column)
            if kind in known or generators.get(kind) is not None:
                continue
            base = next((k for k in kind.__mro__[1:] if k in known), None)
            if base is not None:
                generators.add(kind, known[base])  # type: ignore[arg-type]


def _attributes(model: type, made: dict[type, list[Any]], n: int) -> list[dict[str, Any]]:
    """Each new row's foreign keys, pointing at rows already made."""
    rows: list[dict[str, Any]] = [{} for _ in range(n)]
    unique_sets = _unique_relation_sets(model)
    covered = {name for names in unique_sets for name in names}
    for relation in model._meta.concrete_fields:
        parents = made.get(relation.related_model) if relation.is_relation else None
        if not parents or relation.name in covered:
            continue
        if relation.one_to_one or relation.unique:
            continue
        for row, parent in zip(rows, _skewed(parents, n), strict=True):
            row[relation.name] = parent
    for names in unique_sets:
        choices = [made.get(model._meta.get_field(name).related_model) for name in names]
        if not all(choices):
            continue
        for row, combination in zip(rows, itertools.product(*choices), strict=False):
            row.update(zip(names, combination, strict=True))
    return rows


def _unique_relation_sets(model: type) -> list[tuple[str, ...]]:
    """Foreign-key names that a ``unique_together`` or ``UniqueConstraint`` makes unique."""
    from django.db.models import UniqueConstraint

    meta = model._meta
    groups = [tuple(names) for names in meta.unique_together]
    groups += [
        tuple(c.fields) for c in meta.constraints if isinstance(c, UniqueConstraint) and c.fields
    ]
    relations = {f.name for f in meta.concrete_fields if f.many_to_one}
    found = []
    for names in groups:
        keys = tuple(name for name in names if name in relations)
        if keys and keys not in found:
            found.append(keys)
    return found


def _make(
    model: type, attributes: list[dict[str, Any]], n: int
) -> tuple[list[Any], Exception | None]:
    """``n`` rows of ``model``: in one batch, else one by one; the rows and the last refusal."""
    from django.db import transaction
    from model_bakery import baker

    def one(attrs: dict[str, Any]) -> Any:
        return baker.make(model, _fill_optional=_optional(model, attrs), **attrs)

    try:
        with transaction.atomic():
            return [one(attrs) for attrs in attributes], None
    except Exception as error:
        refused: Exception | None = error
    rows = []
    for attrs in attributes[:n]:
        try:
            with transaction.atomic():
                rows.append(one(attrs))
        except Exception as error:
            refused = error
    return rows, refused


def _skewed(parents: list[Any], n: int) -> Iterator[Any]:
    for i in range(n):
        yield parents[0] if i % 2 == 0 else parents[i % len(parents)]


def _optional(model: type, given: dict[str, Any]) -> list[str]:
    names = []
    for column in model._meta.concrete_fields:
        if column.name in given or column.is_relation or column.primary_key:
            continue
        if column.has_default() or column.get_internal_type() in _FILE_FIELDS:
            continue
        if column.null or column.blank:
            names.append(column.name)
    return names


def _link(relation: Any, rows: list[Any], targets: list[Any]) -> None:
    through = relation.remote_field.through
    if not targets or not through._meta.auto_created:
        return
    source, target = relation.m2m_field_name(), relation.m2m_reverse_field_name()
    links = min(M2M_LINKS, len(targets))
    through.objects.bulk_create(
        through(**{source: row, target: targets[(i + k) % len(targets)]})
        for i, row in enumerate(rows)
        for k in range(links)
        # Identity, not ==: a project's __eq__ may not expect a row of another model.
        if targets[(i + k) % len(targets)] is not row
    )


def superuser_name() -> str:
    """The username of the superuser bench creates (an address if users log in by email)."""
    from django.contrib.auth import get_user_model

    email = get_user_model().USERNAME_FIELD == "email"
    return f"{SUPERUSER}@example.invalid" if email else SUPERUSER


def create_superuser() -> None:
    """The bench superuser, unless it exists; no password, since bench logs it in directly."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from model_bakery import baker

    model = get_user_model()
    lookup = {model.USERNAME_FIELD: superuser_name()}
    if model._default_manager.filter(**lookup).exists():
        return
    names = {f.name for f in model._meta.concrete_fields}
    flags = {flag: True for flag in ("is_superuser", "is_staff", "is_active") if flag in names}
    baker.make(model, **lookup, **flags, password=make_password(None))


def wipe() -> None:
    """Empty every table of the test database (content types and permissions come back)."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
