"""Generated data for a user's project: the project's own models (and users) filled to size n."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from perfkit.bench import links, personas, values
from perfkit.bench.factories import Maker
from perfkit.errors import one_line

if TYPE_CHECKING:
    from django.db.models import Model

#: Field types never filled with generated values: they write files.
_FILE_FIELDS = ("FileField", "ImageField")


def project_models(root: Path) -> list[type[Model]]:
    """Concrete, managed models of the apps under ``root``, the user model, and what they use.

    What they use: the third-party models their relations reach (django-taggit's ``Tag`` and
    ``TaggedItem``, say), filled like the project's own; Django's own apps are left as
    ``migrate`` makes them.
    """
    from django.apps import apps
    from django.contrib.auth import get_user_model

    root = root.resolve()
    found: list[type[Model]] = [get_user_model()]
    for config in apps.get_app_configs():
        if not Path(config.path).resolve().is_relative_to(root):
            continue
        for model in config.get_models():
            if _fillable(model) and model not in found:
                found.append(model)
    for model in found:  # grows as it goes: what a used model uses is used too
        for used in _uses(model):
            if used not in found and _fillable(used) and not django_own(used):
                found.append(used)
    return dependency_order(found)


def _fillable(model: Any) -> bool:
    meta = getattr(model, "_meta", None)
    return meta is not None and meta.managed and not meta.proxy and not meta.abstract


def django_own(model: type[Model]) -> bool:
    """Whether ``model`` belongs to one of Django's own apps (auth, admin, contenttypes...)."""
    return model._meta.app_config.name.startswith("django.")


def _uses(model: type[Model]) -> Iterator[type[Model]]:
    """The models ``model``'s own relations point at, and their ``through`` models."""
    for relation in model._meta.get_fields():
        if not relation.is_relation or relation.auto_created:
            continue
        if isinstance(relation.related_model, type):
            yield relation.related_model
        through: type[Model] | None = getattr(relation.remote_field, "through", None)
        if isinstance(through, type) and not through._meta.auto_created:
            yield through  # an auto-created one is linked, not filled


def dependency_order(models: list[type[Model]]) -> list[type[Model]]:
    """``models`` with every model after the models its foreign keys point to.

    A cycle is broken at a nullable foreign key (left empty), else at the first model.
    """
    remaining = list(models)
    ordered: list[type[Model]] = []
    while remaining:
        ready = _ready(remaining, required_only=False) or _ready(remaining, required_only=True)
        ordered.extend(ready or remaining[:1])
        remaining = [m for m in remaining if m not in ordered]
    return ordered


def _ready(remaining: list[type[Model]], *, required_only: bool) -> list[type[Model]]:
    return [
        model
        for model in remaining
        if all(p is model or p not in remaining for p in _parents(model, required_only))
    ]


def _parents(model: type[Model], required_only: bool) -> Iterator[type[Model] | None]:
    for column in model._meta.concrete_fields:
        if column.many_to_one or column.one_to_one:
            if required_only and column.null:
                continue
            yield column.related_model


@dataclass
class Filled:
    """What :func:`fill` made: rows per model, and the models it could not fill, with why."""

    rows: dict[type[Model], list[Any]] = field(default_factory=dict)
    skipped: list[dict[str, str]] = field(default_factory=list)
    #: The persona users (:func:`perfkit.bench.personas.create`), leading the user rows.
    personas: list[Any] = field(default_factory=list)

    def user_model(self) -> type[Model]:
        from django.contrib.auth import get_user_model

        return get_user_model()

    def rows_of(self, model: type[Model] | None) -> list[Any]:
        """The rows made of ``model``: none for a model not filled, or for no model."""
        return self.rows.get(model, []) if model is not None else []

    def skip(self, model: type[Model], reason: str) -> None:
        self.skipped.append({"model": model._meta.label, "reason": reason})


def fill(
    models: list[type[Model]],
    n: int,
    *,
    seed: int = 0,
    makers: dict[type[Model], Maker] | None = None,
) -> Filled:
    """Add ``n`` rows to each model (in dependency order), then link the many-to-many fields.

    Where the user model is among ``models``, the personas are made first and lead its rows.
    A model in ``makers`` (the project's factories and recipes) is made by its maker, else by
    model_bakery.
    Foreign keys point at rows already made (:mod:`perfkit.bench.links`), plain columns vary
    (:mod:`perfkit.bench.values`); a model that only links others (an explicit ``through``,
    django-taggit's ``TaggedItem``) gets one row per link, and a generic foreign key points
    at the model that has the generic relation. Each model is made in its own savepoint, then
    row by row if the batch was refused (a constraint, a ``save()`` that rejects a value, a row
    a signal already made), each row once more with only its links if its values were
    refused: a model that gets no row is a skip with the reason, never the end of the run.
    """
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from model_bakery import baker

    baker.seed(seed)
    with contextlib.suppress(ImportError):
        from factory.random import reseed_random

        reseed_random(seed)
    _teach_baker(models)
    makers = makers or {}
    filled = Filled()
    user_model = get_user_model()
    throughs = _throughs(models)
    linking = [m for m in models if m in throughs or _generic_keys(m)]
    with transaction.atomic():
        if user_model in models:
            filled.personas, refused = personas.made()
            if refused is not None:
                filled.skip(user_model, refused)
        for model in [m for m in models if m not in linking] + linking:
            before = model._default_manager.count()
            if model in throughs:
                wanted = _through_rows(throughs[model], filled)
            else:
                wanted = _attributes(model, filled, n)
            rows, error = _make(model, wanted, makers.get(model))
            if model is user_model:
                rows = [*filled.personas, *rows]
            elif not rows and before:
                # The project made them (a post_save signal, a data migration): use those.
                rows = list(model._default_manager.order_by("pk")[:n])
            if rows:
                filled.rows[model] = rows
            if error is not None and len(rows) < len(wanted):
                made = f"made {len(rows)} of {len(wanted)} rows" if rows else "made no row"
                if before:
                    made += f" ({before} made by the project itself, by a signal or migration)"
                filled.skip(model, f"{made}: {one_line(error)}")
        for model, rows in list(filled.rows.items()):
            for relation in model._meta.many_to_many:
                through = getattr(relation.remote_field, "through", None)
                if through is None or not through._meta.auto_created:
                    continue
                try:
                    with transaction.atomic():
                        _link(relation, rows, filled)
                except Exception as error:
                    filled.skip(model, f"{relation.name} not linked: {one_line(error)}")
    return filled


def _teach_baker(models: list[type[Model]]) -> None:
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
                # model_bakery annotates add(field: str), but takes a field class as well.
                generators.add(kind, known[base])  # type: ignore[arg-type]


#: One generated row: the relations it points along, and its varied plain values.
Row = tuple[dict[str, Any], dict[str, Any]]


def _attributes(model: type[Model], filled: Filled, n: int) -> list[Row]:
    """Each new row's relations, pointing at rows already made, and its varied values."""
    rows: list[dict[str, Any]] = [{} for _ in range(n)]
    unique_sets = _unique_relation_sets(model)
    covered = {name for names in unique_sets for name in names}
    for relation in model._meta.concrete_fields:
        parents = filled.rows_of(relation.related_model) if relation.is_relation else None
        if not parents or relation.name in covered:
            continue
        if relation.one_to_one or relation.unique:
            chosen: Iterator[Any] = iter(_free(model, relation, parents))
        elif relation.related_model is filled.user_model():
            chosen = links.owned(parents, len(filled.personas), n)
        else:
            chosen = links.skewed(parents, n)
        for row, parent in zip(rows, chosen, strict=False):
            row[relation.name] = parent
    for names in unique_sets:
        choices = [filled.rows_of(model._meta.get_field(name).related_model) for name in names]
        if not all(choices):
            continue
        for row, combination in zip(rows, itertools.product(*choices), strict=False):
            row.update(zip(names, combination, strict=True))
    for key in _generic_keys(model):
        target = _generic_target(model, filled)
        if target is None:
            continue
        kind = _content_type(target)
        for row, parent in zip(rows, links.skewed(filled.rows[target], n), strict=True):
            row.update({key.ct_field: kind, key.fk_field: parent.pk})
    return [(row, values.varied(model, i)) for i, row in enumerate(rows)]


def _free(model: type[Model], relation: Any, parents: list[Any]) -> list[Any]:
    """The parents no row of ``model`` points at yet, for a one-to-one or unique key."""
    taken = set(model._default_manager.values_list(relation.attname, flat=True))
    return [parent for parent in parents if parent.pk not in taken]


def _throughs(models: list[type[Model]]) -> dict[type[Model], list[Any]]:
    """Explicit ``through`` models among ``models``, each with the relations that use it."""
    found: dict[type[Model], list[Any]] = {}
    for model in models:
        for relation in model._meta.many_to_many:
            if relation.model is not model:
                continue  # inherited (multi-table): the parent's rows carry its links
            through = getattr(relation.remote_field, "through", None)
            if isinstance(through, type) and through in models and not through._meta.auto_created:
                found.setdefault(through, []).append(relation)
    return found


def _through_rows(relations: list[Any], filled: Filled) -> list[Row]:
    """A row of a ``through`` model per link of each relation using it (:func:`links.pairs`)."""
    wanted: list[Row] = []
    for relation in relations:
        through = relation.remote_field.through
        source, target = relation.model, relation.related_model
        sources, targets = filled.rows.get(source), filled.rows.get(target)
        ends = _through_ends(relation, through)
        if not sources or not targets or ends is None:
            continue
        source_end, target_end = ends
        personas_there = len(filled.personas) if target is filled.user_model() else 0
        for i, (row, linked) in enumerate(links.pairs(sources, targets, personas_there)):
            if isinstance(source_end, str):
                attrs = {source_end: row, target_end: linked}
            else:
                attrs = {source_end.ct_field: _content_type(source), target_end: linked}
                attrs[source_end.fk_field] = row.pk
            wanted.append((attrs, values.varied(through, i)))
    return wanted


def _through_ends(relation: Any, through: type[Model]) -> tuple[Any, str] | None:
    """The through model's field to the source (a name, or a generic key) and to the target."""
    if hasattr(relation, "m2m_field_name"):
        return relation.m2m_field_name(), relation.m2m_reverse_field_name()
    keys = [f for f in through._meta.concrete_fields if f.many_to_one]
    to_target = next((f.name for f in keys if f.related_model is relation.related_model), None)
    to_source = next((f.name for f in keys if f.related_model is relation.model), None)
    generic = next(iter(_generic_keys(through)), None)
    source_end = to_source if to_source is not None else generic
    if to_target is None or source_end is None:
        return None
    return source_end, to_target


def _generic_keys(model: type[Model]) -> list[Any]:
    """``model``'s generic foreign keys (content type and object id), if contenttypes is used."""
    return [
        f for f in model._meta.private_fields if hasattr(f, "ct_field") and hasattr(f, "fk_field")
    ]


def _generic_target(model: type[Model], filled: Filled) -> type[Model] | None:
    """The model a generic key should point at: one with a generic relation to ``model``.

    Else the first model with rows that is neither ``model`` nor the user model.
    """
    made = [m for m in filled.rows if m is not model]
    related = [
        m
        for m in made
        if any(getattr(f, "related_model", None) is model for f in m._meta.private_fields)
    ]
    plain = [m for m in made if m is not filled.user_model()]
    return next(iter(related or plain), None)


def _content_type(model: type[Model]) -> Any:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model)


def _unique_relation_sets(model: type[Model]) -> list[tuple[str, ...]]:
    """Foreign-key names that a ``unique_together`` or ``UniqueConstraint`` makes unique.

    A rule that also names a column model_bakery fills with a random value of its own (a
    name, a slug, a number, no default) is kept by that value: its foreign keys stay skewed,
    so one publisher still has many series.
    """
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
        plain = [meta.get_field(name) for name in names if name not in relations]
        if plain and all(_random(column) for column in plain):
            continue
        if keys and keys not in found:
            found.append(keys)
    return found


def _random(column: Any) -> bool:
    """Whether model_bakery gives ``column`` a value of its own that rarely repeats."""
    if column.has_default() or column.choices or column.null:
        return False
    # model_bakery dates and times are "now", booleans have two values
    return column.get_internal_type() not in (
        "BooleanField",
        "DateField",
        "DateTimeField",
        "TimeField",
    )


def _make(
    model: type[Model], wanted: list[Row], maker: Maker | None = None
) -> tuple[list[Any], Exception | None]:
    """The rows of ``model``: in one batch, else one by one; the rows and the last refusal.

    One by one, a row refused with its varied values is tried once more with its links
    alone; a row the project's ``maker`` refuses, once more by model_bakery.
    """
    from django.db import transaction
    from model_bakery import baker

    def baked(attrs: dict[str, Any]) -> Any:
        return baker.make(model, _fill_optional=_optional(model, attrs), **attrs)

    def made(attrs: dict[str, Any]) -> Any:
        return baked(attrs) if maker is None else maker(**attrs)

    try:
        with transaction.atomic():
            return [made({**row, **varied}) for row, varied in wanted], None
    except Exception as error:
        refused: Exception | None = error
    rows = []
    for row, varied in wanted:
        tries = [(made, {**row, **varied}), (made, row)]
        if maker is not None:
            tries.append((baked, row))
        for make, attrs in tries:
            try:
                with transaction.atomic():
                    rows.append(make(attrs))
                break
            except Exception as error:
                refused = error
    return rows, refused


def _optional(model: type[Model], given: dict[str, Any]) -> list[str]:
    names = []
    for column in model._meta.concrete_fields:
        if column.name in given or column.is_relation or column.primary_key:
            continue
        if column.has_default() or column.get_internal_type() in _FILE_FIELDS:
            continue
        if column.null or column.blank:
            names.append(column.name)
    return names


def _link(relation: Any, rows: list[Any], filled: Filled) -> None:
    """Link an auto-created many-to-many field's rows (:func:`links.pairs`)."""
    targets = filled.rows.get(relation.related_model, [])
    through = relation.remote_field.through
    source, target = relation.m2m_field_name(), relation.m2m_reverse_field_name()
    personas_there = len(filled.personas) if relation.related_model is filled.user_model() else 0
    through.objects.bulk_create(
        through(**{source: row, target: linked})
        for row, linked in links.pairs(rows, targets, personas_there)
    )


def wipe() -> None:
    """Empty every table of the test database (content types and permissions come back)."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
