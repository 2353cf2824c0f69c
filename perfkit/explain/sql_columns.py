"""Which columns a statement filters and sorts each table on, parsed with sqlglot.

A filter column is one compared with a value (``=``, ``<``, ``IN``, ``LIKE``, ``IS NULL``),
not with another column (a join). Columns are named by table, aliases resolved: Django
qualifies every column, and aliases self-joins (``T3``) and subqueries (``U0``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlglot
from sqlglot import exp

_DIALECTS = {"postgresql": "postgres", "mysql": "mysql", "sqlite": "sqlite"}
_EQUAL = (exp.EQ, exp.In, exp.Is, exp.NullSafeEQ)
_RANGE = (exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Between, exp.Like, exp.ILike, exp.NEQ)


@dataclass
class TableUse:
    """How a statement uses one table: columns it compares by equality, by range, and the
    columns it orders by (``True`` for descending), in the statement's order."""

    equal: list[str] = field(default_factory=list)
    ranged: list[str] = field(default_factory=list)
    order: list[tuple[str, bool]] = field(default_factory=list)

    @property
    def filtered(self) -> list[str]:
        return [*self.equal, *(c for c in self.ranged if c not in self.equal)]


@dataclass
class Uses:
    """Each table's use, by table name, and the aliases the statement gives tables."""

    tables: dict[str, TableUse] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    def table(self, name: str) -> str:
        """The table a plan's name (a table or an alias) stands for."""
        return self.aliases.get(name) or self.aliases.get(name.lower()) or name


def uses(sql: str, vendor: str) -> Uses:
    """The tables ``sql`` reads, each with its filter and sort columns; empty if unparsable."""
    try:
        tree = sqlglot.parse_one(sql.replace("%s", "?"), read=_DIALECTS.get(vendor))
    except sqlglot.errors.SqlglotError:
        return Uses()
    found = Uses()
    for node in tree.find_all(exp.Table):
        name: str = node.name
        found.aliases[node.alias_or_name] = name
        # PostgreSQL folds an unquoted alias (Django's T3, U0) to lower case in its plans.
        found.aliases.setdefault(node.alias_or_name.lower(), name)
        found.tables.setdefault(name, TableUse())
    only = next(iter(found.tables)) if len(found.tables) == 1 else None
    for where in tree.find_all(exp.Where):
        for comparison in where.find_all(*_EQUAL, *_RANGE, bfs=False):
            column = _compared_column(comparison)
            if column is None:
                continue
            table = _table_of(column, found, only)
            if table is not None:
                use = found.tables[table]
                kind = use.equal if isinstance(comparison, _EQUAL) else use.ranged
                if column.name not in kind:
                    kind.append(column.name)
    for ordered in tree.find_all(exp.Ordered):
        column = ordered.this
        if isinstance(column, exp.Column):
            table = _table_of(column, found, only)
            if table is not None:
                found.tables[table].order.append((column.name, bool(ordered.args.get("desc"))))
    return found


def _table_of(column: exp.Column, found: Uses, only: str | None) -> str | None:
    """The statement's table a column belongs to (an unqualified one: the only table)."""
    qualifier: str = column.table
    table = found.aliases.get(qualifier, qualifier) if qualifier else only
    return table if table in found.tables else None


def _compared_column(comparison: Any) -> exp.Column | None:
    """The column compared with a value, or None for a join condition or an expression."""
    left = comparison.this
    if isinstance(left, exp.Paren):
        left = left.this
    if not isinstance(left, exp.Column):
        return None
    others = [comparison.args.get("expression"), *(comparison.args.get("expressions") or ())]
    if any(isinstance(other, exp.Column) for other in others):
        return None
    return left
