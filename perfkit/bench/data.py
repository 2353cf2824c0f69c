"""Generated data for a user's project: the project's own models (and users) filled to size n."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
    for field in model._meta.concrete_fields:
        if field.many_to_one or field.one_to_one:
            if required_only and field.null:
                continue
            yield field.related_model


def fill(models: list[type], n: int, *, seed: int = 0) -> None:
    """Add ``n`` rows to each model (in dependency order), then link the many-to-many fields.

    A foreign key points at an existing row of its model where there is one: every other row
    at the first, so one object has many related rows (per-row queries show), the rest spread.
    """
    from django.db import transaction
    from model_bakery import baker

    baker.seed(seed)
    made: dict[type, list[Any]] = {}
    with transaction.atomic():
        for model in models:
            attrs = {}
            for field in model._meta.concrete_fields:
                parent = field.related_model
                if (field.many_to_one or field.one_to_one) and made.get(parent):
                    if field.one_to_one or field.unique:
                        continue
                    attrs[field.name] = _skewed(made[parent], n)
            made[model] = baker.make(
                model, _quantity=n, _fill_optional=_optional(model, attrs), **attrs
            )
        for model, rows in made.items():
            for field in model._meta.many_to_many:
                _link(field, rows, made.get(field.related_model, []))


def _skewed(parents: list[Any], n: int) -> Iterator[Any]:
    for i in range(n):
        yield parents[0] if i % 2 == 0 else parents[i % len(parents)]


def _optional(model: type, given: dict[str, Any]) -> list[str]:
    names = []
    for field in model._meta.concrete_fields:
        if field.name in given or field.is_relation or field.primary_key:
            continue
        if field.has_default() or field.get_internal_type() in _FILE_FIELDS:
            continue
        if field.null or field.blank:
            names.append(field.name)
    return names


def _link(field: Any, rows: list[Any], targets: list[Any]) -> None:
    through = field.remote_field.through
    if not targets or not through._meta.auto_created:
        return
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    links = min(M2M_LINKS, len(targets))
    through.objects.bulk_create(
        through(**{source: row, target: targets[(i + k) % len(targets)]})
        for i, row in enumerate(rows)
        for k in range(links)
        if targets[(i + k) % len(targets)] != row
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
