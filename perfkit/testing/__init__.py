"""Test helpers: record a block with perfkit and assert query budgets, N+1, O(1) and caching."""

from __future__ import annotations

from perfkit.testing.constant_queries import assert_constant_queries
from perfkit.testing.recorder import CacheStats, Recorded, record
from perfkit.testing.snapshot import check_snapshot, snapshot

__all__ = [
    "CacheStats",
    "Recorded",
    "assert_constant_queries",
    "check_snapshot",
    "record",
    "snapshot",
]
