"""The indexes a table really has (Django's introspection), and the Django model and field
names of its columns, for advice written as ``models.Index(fields=[...])``."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import DatabaseError, connections


@dataclass
class TableIndexes:
    """Each index's columns, in order: indexes, unique constraints and the primary key."""

    columns: list[list[str]] = field(default_factory=list)
    #: The column sets of unique constraints and the primary key.
    unique: list[list[str]] = field(default_factory=list)

    def one_row(self, equal: Sequence[str]) -> bool:
        """Whether equality on ``equal`` picks at most one row (it covers a unique key)."""
        return any(cols and set(cols) <= set(equal) for cols in self.unique)

    def serves_filter(self, filtered: Sequence[str]) -> bool:
        """Whether an index starts with one of the filtered columns."""
        return any(cols and cols[0] in filtered for cols in self.columns)

    def serves_order(self, equal: Sequence[str], order: Sequence[str]) -> bool:
        """Whether an index, after columns compared by equality, has the order's columns."""
        for cols in self.columns:
            rest = list(cols)
            while rest and rest[0] in equal and rest[0] not in order:
                rest.pop(0)
            if rest[: len(order)] == list(order):
                return True
        return False


def indexes(alias: str, table: str) -> TableIndexes:
    """The indexes of ``table`` on connection ``alias``; none when it cannot be read."""
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, table)
    except DatabaseError:
        return TableIndexes()
    keys = [c for c in constraints.values() if c.get("columns")]
    return TableIndexes(
        [
            list(c["columns"])
            for c in keys
            if c.get("index") or c.get("unique") or c.get("primary_key")
        ],
        [list(c["columns"]) for c in keys if c.get("unique") or c.get("primary_key")],
    )


@dataclass(frozen=True)
class ModelTable:
    """A model's label and its fields' names by column."""

    label: str
    fields: dict[str, str]


@functools.cache
def _models() -> dict[str, ModelTable]:
    from django.apps import apps

    found: dict[str, ModelTable] = {}
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if opts.proxy:
            continue
        names = {f.column: f.name for f in opts.concrete_fields if f.column is not None}
        found.setdefault(opts.db_table, ModelTable(opts.label, names))
    return found


def model_of(table: str) -> ModelTable | None:
    """The model whose table is ``table``, if a model of this project has it."""
    return _models().get(table)


def index_line(fields: Sequence[str]) -> str:
    """``models.Index(fields=["author", "-created"])``."""
    quoted = ", ".join(f'"{name}"' for name in fields)
    return f"models.Index(fields=[{quoted}])"
