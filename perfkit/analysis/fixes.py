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
    relations: dict[str, list[Relation]],
    parent_table: str | None,
    child_table: str | None,
    lazy: frozenset[tuple[str, str]] | None = None,
) -> str:
    """The fix for rows of ``parent_table`` each querying ``child_table``.

    ``lazy`` holds the to-one relations the request loaded lazily, as ``(table, name)``,
    when eager-load tracking saw it (None: it did not): a to-one relation it did not load
    is not the one the loop reads, and an eager load of it would go unread, so it is never
    suggested. Of several relations that may be read, every one is named, none picked.
    """
    if parent_table and child_table:
        # Models sharing a table (a proxy) list the same relation again: it is one relation.
        linking = list(
            {
                (r.name, r.single): r
                for r in relations.get(parent_table, [])
                if r.target == child_table
            }.values()
        )
        unread = bool(linking)
        if lazy is not None:
            read = [r for r in linking if r.single and (r.table, r.name) in lazy]
            linking = read or [r for r in linking if not r.single]
        if len(linking) == 1:
            return linking[0].fix()
        if linking:
            if lazy is not None and all(r.single for r in linking):
                names = ", ".join(f'"{r.name}"' for r in linking)
                return f"select_related({names}): the loop reads each of them"
            fixes = " or ".join(r.fix() for r in linking)
            return f"{fixes}: whichever relation the loop reads"
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
            links = "the loop reads no relation that links" if unread else "no relation links"
            return (
                f"{links} {parent_table} to {child_table}: fetch the {child_table} rows the "
                f"loop needs in one query before it (filter(…__in=…) or in_bulk) and look "
                f"them up per row, instead of querying for {rows}"
            )
        return (
            f"select_related (to-one) or prefetch_related (to-many) the relation from "
            f"{parent_table} to {child_table}"
        )
    return "fetch the related rows in one query (select_related / prefetch_related)"
