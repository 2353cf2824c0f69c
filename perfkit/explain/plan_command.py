"""Run the database's own plan command for one kept example, on the connection that ran it.

PostgreSQL ``EXPLAIN (FORMAT JSON)``, MySQL and MariaDB ``EXPLAIN FORMAT=JSON``, SQLite
``EXPLAIN QUERY PLAN``; with ``analyze`` the statement runs (PostgreSQL ``EXPLAIN (ANALYZE,
FORMAT JSON)``, MariaDB ``ANALYZE FORMAT=JSON``). Each runs in a transaction that is rolled
back. On PostgreSQL sequential scans are disabled in that transaction: at a bench's few
rows the planner reads a small table whole even when an index fits, and the plan should
show what it does once the table is large.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connections, transaction

from perfkit.capture.statement_examples import Example, is_select

VENDORS = ("postgresql", "mysql", "sqlite")


class NotExplained(Exception):
    """Why a statement has no plan: said in the report as a skip, never raised further."""


@dataclass(frozen=True)
class RawPlan:
    """What the plan command answered: PostgreSQL's and MySQL's JSON, SQLite's rows."""

    vendor: str
    data: Any
    analyzed: bool
    mariadb: bool = False


def explain(example: Example, analyze: bool = False) -> RawPlan:
    """The plan of ``example``; NotExplained says why there is none."""
    if example.vendor not in VENDORS:
        raise NotExplained(f"perfkit reads no plans of {example.vendor} databases")
    if not is_select(example.sql):
        raise NotExplained("only SELECT statements are explained")
    connection = connections[example.alias]
    mariadb = bool(getattr(connection, "mysql_is_mariadb", False))
    prefix, analyzed = _prefix(example.vendor, mariadb, analyze)
    try:
        with transaction.atomic(using=example.alias), connection.cursor() as cursor:
            if example.vendor == "postgresql":
                cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(prefix + example.sql, example.params)
            rows = cursor.fetchall()
            transaction.set_rollback(True, using=example.alias)
    except DatabaseError as error:
        raise NotExplained(f"{prefix.strip()} failed: {redacted(error)}") from None
    if example.vendor == "sqlite":
        return RawPlan("sqlite", [tuple(row) for row in rows], analyzed)
    data = rows[0][0]
    if isinstance(data, bytes | str):
        data = json.loads(data)
    return RawPlan(example.vendor, data, analyzed, mariadb)


def returned_rows(example: Example) -> int | None:
    """How many rows the statement returns, by running it once inside a count (for drivers
    that give no row count of a SELECT, as SQLite's); None when that fails."""
    connection = connections[example.alias]
    try:
        with transaction.atomic(using=example.alias), connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({example.sql}) perfkit_rows", example.params)
            count = int(cursor.fetchone()[0])
            transaction.set_rollback(True, using=example.alias)
    except DatabaseError:
        return None
    return count


def _prefix(vendor: str, mariadb: bool, analyze: bool) -> tuple[str, bool]:
    """The plan command put before the statement, and whether it runs the statement."""
    if vendor == "postgresql":
        return ("EXPLAIN (ANALYZE, FORMAT JSON) " if analyze else "EXPLAIN (FORMAT JSON) "), analyze
    if vendor == "mysql":
        # MySQL's EXPLAIN ANALYZE answers in its tree format only: its estimates are read.
        if analyze and mariadb:
            return "ANALYZE FORMAT=JSON ", True
        return "EXPLAIN FORMAT=JSON ", False
    return "EXPLAIN QUERY PLAN ", False


#: A quoted value or a number in a database's error message: it may be a parameter's.
_VALUES = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`|\b\d+(?:\.\d+)?\b")


def redacted(error: BaseException) -> str:
    """``Type: first line``, every quoted value and number in it blanked: a database quotes
    the parameter it could not read, and a report never holds one."""
    lines = str(error).strip().splitlines()
    message = _VALUES.sub("#", lines[0]) if lines else ""
    return f"{type(error).__name__}: {message}" if message else type(error).__name__
