"""The recorder's records for a time window, read from the stack's store."""

from __future__ import annotations

import time

from perfkit.recording import Recording
from perfkit.store import open_store

SETTLE_TIMEOUT_S = 10.0


def fetch(store_url: str, start: float, end: float) -> list[Recording]:
    """Recordings of the requests that started between ``start`` and ``end`` (epoch seconds)."""
    store = open_store(store_url)
    try:
        return store.between(start, end)
    finally:
        store.close()


def settled(store_url: str, start: float, end: float, expected: int) -> list[Recording]:
    """Wait for the app servers' background writers: until ``expected`` recordings are there,
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
