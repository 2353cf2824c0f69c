"""The fix to try for an N+1 group: ``select_related`` or ``prefetch_related``, field named."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.models import Model


@dataclass(frozen=True)
class Relation:
    """A relation from the model behind ``table`` to the model behind ``target``."""

    table: str
    name: str
    target: str
    single: bool

    def fix(self) -> str:
        if self.single:
            return f'select_related("{self.name}")'
        return f'prefetch_related("{self.name}")'


def django_relations() -> dict[str, list[Relation]]:
    """Every relation of every installed model, keyed by the table of the model it starts from.

    Empty when Django is not configured (``perfkit report`` on a bare store).
    """
    try:
        from django.apps import apps

        models = apps.get_models()
    except Exception:
        return {}
    found: dict[str, list[Relation]] = {}
    for model in models:
        table = model._meta.db_table
        for field in model._meta.get_fields(include_hidden=False):
            related: type[Model] | None = getattr(field, "related_model", None)
            name = _accessor(field)
            if (
                related is None
                or not hasattr(related, "_meta")
                or not field.is_relation
                or not name
            ):
                continue
            single = bool(field.many_to_one or field.one_to_one)
            found.setdefault(table, []).append(
                Relation(table, name, related._meta.db_table, single)
            )
    return found


def _accessor(field: object) -> str | None:
    """The name a queryset uses for the relation: the field's, or a reverse side's accessor.

    django-taggit's manager and contenttypes' ``GenericRelation`` are relations that are not
    fields of the usual kinds and have no ``get_accessor_name``: their own name is the one.
    """
    if getattr(field, "concrete", False) or not hasattr(field, "get_accessor_name"):
        return getattr(field, "name", None)
    try:
        accessor: str | None = field.get_accessor_name()
        return accessor
    except Exception:  # a third-party relation's accessor may need state it does not have
        return getattr(field, "name", None)


def suggest(
    relations: dict[str, list[Relation]], parent_table: str | None, child_table: str | None
) -> str:
    """The fix for rows of ``parent_table`` each querying ``child_table``."""
    if parent_table and child_table:
        for relation in relations.get(parent_table, []):
            if relation.target == child_table:
                return relation.fix()
        if relations and parent_table == child_table:
            # A loop over rows of a table querying that table again, row by row.
            return (
                f"each {parent_table} row queries {child_table} again: use the rows already "
                f"loaded, or fetch the ones the loop needs in one query before it "
                f"(filter(…__in=…) or in_bulk) and look them up per row"
            )
        if relations:
            # The models are known and no relation joins the two: an eager load cannot help.
            rows = f"each {parent_table} row"
            return (
                f"no relation links {parent_table} to {child_table}: fetch the {child_table} "
                f"rows the loop needs in one query before it (filter(…__in=…) or in_bulk) and "
                f"look them up per row, instead of querying for {rows}"
            )
        return (
            f"select_related (to-one) or prefetch_related (to-many) the relation from "
            f"{parent_table} to {child_table}"
        )
    return "fetch the related rows in one query (select_related / prefetch_related)"
