"""A database router that sends every query to the alias a test selected."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

selected_alias: contextvars.ContextVar[str] = contextvars.ContextVar(
    "selected_alias", default="default"
)


@contextmanager
def use_database(alias: str) -> Iterator[None]:
    token = selected_alias.set(alias)
    try:
        yield
    finally:
        selected_alias.reset(token)


class SelectedDatabaseRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str:
        return selected_alias.get()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return selected_alias.get()

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True
