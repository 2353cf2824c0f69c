"""One example of each statement's SQL and parameters, held in memory only, for EXPLAIN.

Recordings never keep parameters; a plan needs them. While a :func:`keeping` block is open
(``perfkit bench`` at one size, a test's ``record()`` block, the toolbar's request), an
execute wrapper keeps the first parameters of each distinct SELECT it sees. They live in
this process's memory until the block's owner has explained what it chose, and are never
written anywhere.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

from perfkit.fingerprint import fingerprint
from perfkit.recording import current_recording

#: Distinct statements one block keeps at most: a runaway page cannot fill the memory.
LIMIT = 5000


@dataclass(frozen=True)
class Example:
    """One execution of a statement: what EXPLAIN needs to plan it again."""

    alias: str
    vendor: str
    sql: str
    params: Any


class Examples:
    """The first execution of each distinct SELECT, by raw SQL."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self.by_sql: dict[str, Example] = {}

    def keep(self, example: Example) -> None:
        if example.sql not in self.by_sql and len(self.by_sql) < self.limit:
            self.by_sql[example.sql] = example

    def by_fingerprint(self) -> dict[str, Example]:
        """One example per statement fingerprint (the first kept)."""
        found: dict[str, Example] = {}
        for example in self.by_sql.values():
            found.setdefault(fingerprint(example.sql, example.vendor)[0], example)
        return found

    def clear(self) -> None:
        self.by_sql.clear()


current_examples: contextvars.ContextVar[Examples | None] = contextvars.ContextVar(
    "perfkit_examples", default=None
)


def _frozen(params: Any) -> Any:
    """A copy the caller cannot change later (Django passes lists it may reuse)."""
    if isinstance(params, list | tuple):
        return tuple(params)
    if isinstance(params, dict):
        return dict(params)
    return params


def is_select(sql: str) -> bool:
    """Whether ``sql`` only reads: the statements perfkit explains."""
    head = sql.lstrip(" \t\n(").split(None, 1)
    return bool(head) and head[0].upper() in ("SELECT", "WITH")


class ExampleKeeper:
    """Keeps each distinct SELECT's first parameters in the open block's Examples."""

    def __init__(self, alias: str, vendor: str) -> None:
        self.alias = alias
        self.vendor = vendor

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        examples = current_examples.get()
        if (
            examples is not None
            and not many
            and sql not in examples.by_sql
            and current_recording.get() is not None  # a recorded request's, not bench's own
            and is_select(sql)
        ):
            examples.keep(Example(self.alias, self.vendor, sql, _frozen(params)))
        return execute(sql, params, many, context)


def _attach(connection: BaseDatabaseWrapper) -> None:
    if not any(isinstance(w, ExampleKeeper) for w in connection.execute_wrappers):
        connection.execute_wrappers.append(ExampleKeeper(connection.alias, connection.vendor))


def _detach(connection: BaseDatabaseWrapper) -> None:
    connection.execute_wrappers[:] = [
        w for w in connection.execute_wrappers if not isinstance(w, ExampleKeeper)
    ]


def _on_connection_created(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    _attach(connection)


@contextmanager
def keeping(examples: Examples | None = None) -> Iterator[Examples]:
    """Keep examples of the statements run inside the block, on every connection."""
    examples = Examples() if examples is None else examples
    connection_created.connect(_on_connection_created, dispatch_uid="perfkit.statement_examples")
    for connection in connections.all(initialized_only=True):
        _attach(connection)
    token = current_examples.set(examples)
    try:
        yield examples
    finally:
        current_examples.reset(token)
        if current_examples.get() is None:
            connection_created.disconnect(dispatch_uid="perfkit.statement_examples")
            for connection in connections.all(initialized_only=True):
                _detach(connection)
