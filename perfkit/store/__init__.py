"""Recording stores: open_store() picks the backend from the URL scheme."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from perfkit.errors import CorruptRecordError, StoreError
from perfkit.store.base import Store
from perfkit.store.redaction import redact_url
from perfkit.store.rows import Row, as_row, record_row

__all__ = [
    "SCHEMES",
    "CorruptRecordError",
    "LastStore",
    "Row",
    "Store",
    "StoreError",
    "as_row",
    "open_store",
    "record_row",
    "redact_url",
]

SCHEMES: tuple[str, ...] = ("sqlite", "postgresql", "postgres", "redis", "rediss", "jsonl")


def open_store(url: str) -> Store:
    """Return the store for ``url``; nothing connects until the store is first used."""
    scheme, sep, _ = url.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in SCHEMES:
        accepted = ", ".join(f"{name}://" for name in SCHEMES)
        raise StoreError(f"unsupported store URL {redact_url(url)!r}: use one of {accepted}")
    if scheme == "sqlite":
        from perfkit.store.sqlite import SQLiteStore

        return SQLiteStore(url)
    if scheme in ("postgresql", "postgres"):
        from perfkit.store.postgresql import PostgreSQLStore

        return PostgreSQLStore(url)
    if scheme in ("redis", "rediss"):
        from perfkit.store.redis import RedisStore

        return RedisStore(url)
    from perfkit.store.jsonl import JSONLStore

    return JSONLStore(url)


def split_query_option(url: str, name: str) -> tuple[str, str | None]:
    """Remove the query parameter ``name`` from ``url``; return the URL and its value."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    values = [v for k, v in pairs if k == name]
    rest = urlencode([(k, v) for k, v in pairs if k != name])
    return urlunsplit(parts._replace(query=rest)), (values[-1] if values else None)


class LastStore:
    """The store last written to: opened on first use, and again when the URL changes.

    The background writer's thread and its child process each write through one.
    """

    def __init__(self) -> None:
        self.store: Store | None = None
        self.url: str | None = None

    def write(
        self, url: str, records: list[Any], opener: Callable[[str], Store] = open_store
    ) -> None:
        """Write ``records`` (rows, pending rows, Recordings or dicts) to the store at ``url``."""
        if self.store is None or url != self.url:
            self.close()
            self.store, self.url = opener(url), url
        self.store.write_rows([as_row(record) for record in records])

    def close(self) -> None:
        """Close the store, if one is open; a failure to close is not the caller's."""
        store, self.store = self.store, None
        if store is not None:
            with contextlib.suppress(Exception):
                store.close()
