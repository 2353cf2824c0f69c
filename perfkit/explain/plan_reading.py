"""A plan command's answer read into one shape, whatever the vendor: what each table access
reads, whether the plan sorts, and the plan as text with every value blanked."""

from __future__ import annotations

from dataclasses import dataclass, field

from perfkit.explain.plan_command import RawPlan
from perfkit.fingerprint import fingerprint


@dataclass
class Access:
    """One read of one table: every row (``full``), or through ``index``.

    ``table`` is the name the plan gives: the table's, or its alias in the statement.
    ``rows`` is how many rows it reads: the executed count with ``--explain analyze``,
    else the planner's estimate (None when the plan gives none, as SQLite's).
    """

    table: str
    full: bool
    index: str | None = None
    rows: float | None = None


@dataclass
class ReadPlan:
    """One statement's plan: its table accesses, whether it sorts, and its text."""

    accesses: list[Access] = field(default_factory=list)
    sorts: bool = False
    lines: list[str] = field(default_factory=list)
    analyzed: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def blanked(expression: str, vendor: str) -> str:
    """A condition as the plan prints it, with each value it holds replaced by ``#``:
    plans carry the statement's parameters, and a report never does."""
    return fingerprint(expression, vendor)[1]


def read(raw: RawPlan) -> ReadPlan:
    """The plan of any vendor perfkit explains, in one shape."""
    if raw.vendor == "postgresql":
        from perfkit.explain.plan_postgresql import read_postgresql

        return read_postgresql(raw.data, raw.analyzed)
    if raw.vendor == "mysql":
        from perfkit.explain.plan_mysql import read_mysql

        return read_mysql(raw.data, raw.analyzed)
    from perfkit.explain.plan_sqlite import read_sqlite

    return read_sqlite(raw.data)
