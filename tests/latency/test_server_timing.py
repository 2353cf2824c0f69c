"""Parsing ``Server-Timing`` the way browsers do, for the curl-style fetch."""

from __future__ import annotations

from perfkit.latency.model import ServerTimingEntry
from perfkit.latency.server_timing import parse, server_ms


def test_the_middleware_header_with_commas_inside_quoted_descriptions() -> None:
    header = (
        'db;dur=2.91;desc="21 queries", cache;dur=0.00;desc="0 hits, 0 misses", '
        "app;dur=4.12, total;dur=7.03"
    )
    assert parse(header) == [
        ServerTimingEntry("db", 2.91, "21 queries"),
        ServerTimingEntry("cache", 0.0, "0 hits, 0 misses"),
        ServerTimingEntry("app", 4.12, ""),
        ServerTimingEntry("total", 7.03, ""),
    ]


def test_metrics_without_a_duration_and_malformed_durations() -> None:
    entries = parse("miss, edge;dur=abc, origin;desc=eu;dur=53")
    assert entries == [
        ServerTimingEntry("miss", None, ""),
        ServerTimingEntry("edge", None, ""),
        ServerTimingEntry("origin", 53.0, "eu"),
    ]
    assert server_ms(entries) == {"origin": 53.0}
    assert parse("") == []
