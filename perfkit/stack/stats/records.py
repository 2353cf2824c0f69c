"""The recorder's records for a time window, read from the stack's store."""

from __future__ import annotations

import time
from typing import Any

from perfkit.store import open_store

SETTLE_TIMEOUT_S = 10.0


def fetch(store_url: str, start: float, end: float) -> list[dict[str, Any]]:
    """Records whose request started between ``start`` and ``end`` (epoch seconds)."""
    if store_url.startswith(("postgresql://", "postgres://")):
        import psycopg

        from perfkit.store import split_query_option

        conninfo, table = split_query_option(store_url, "table")
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=3) as conn:
            query = psycopg.sql.SQL(
                "SELECT payload FROM {} WHERE started_at BETWEEN %s AND %s"
            ).format(psycopg.sql.Identifier(table or "perfkit_recordings"))
            try:
                return [row[0] for row in conn.execute(query, (start, end))]
            except psycopg.errors.UndefinedTable:
                return []
    store = open_store(store_url)
    try:
        return [r for r in store.read() if start <= r.get("started_at", 0.0) <= end]
    finally:
        store.close()


def settled(store_url: str, start: float, end: float, expected: int) -> list[dict[str, Any]]:
    """Wait for the app servers' background writers: until ``expected`` records are there,
    or the count stops growing for a second, or the deadline."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    records = fetch(store_url, start, end)
    last_change = time.monotonic()
    while len(records) < expected and time.monotonic() < deadline:
        time.sleep(0.2)
        fresh = fetch(store_url, start, end)
        if len(fresh) != len(records):
            last_change = time.monotonic()
        elif time.monotonic() - last_change > 1.5:
            return fresh
        records = fresh
    return records
