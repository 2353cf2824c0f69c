"""Parsing ``Server-Timing`` the way browsers do: the one parser latency and load read with."""

from __future__ import annotations

from perfkit.server_timing import ServerTimingEntry, durations, parse, recording_id


def test_the_middleware_header_with_commas_inside_quoted_descriptions() -> None:
    header = (
        'db;dur=2.91;desc="21 queries", cache;dur=0.00;desc="0 hits, 0 misses", '
        'app;dur=4.12, total;dur=7.03, perfkit;desc="5f2a"'
    )
    entries = parse(header)
    assert entries == [
        ServerTimingEntry("db", 2.91, "21 queries"),
        ServerTimingEntry("cache", 0.0, "0 hits, 0 misses"),
        ServerTimingEntry("app", 4.12, ""),
        ServerTimingEntry("total", 7.03, ""),
        ServerTimingEntry("perfkit", None, "5f2a"),
    ]
    assert recording_id(entries) == "5f2a"
    assert recording_id(entries[:-1]) is None


def test_the_recording_id_is_no_duration_even_as_the_browser_reports_it() -> None:
    entries = [ServerTimingEntry("total", 7.03, ""), ServerTimingEntry("perfkit", 0.0, "5f2a")]
    assert durations(entries) == {"total": 7.03}


def test_metrics_without_a_duration_and_malformed_durations() -> None:
    entries = parse("miss, edge;dur=abc, origin;desc=eu;dur=53")
    assert entries == [
        ServerTimingEntry("miss", None, ""),
        ServerTimingEntry("edge", None, ""),
        ServerTimingEntry("origin", 53.0, "eu"),
    ]
    assert durations(entries) == {"origin": 53.0}
    assert parse("") == []


def test_durations_by_metric_from_a_header() -> None:
    header = 'db;dur=2.91;desc="21 queries", cache;dur=0.00;desc="0 hits, 0 misses", app;dur=4.12'
    assert durations(parse(header)) == {"db": 2.91, "cache": 0.0, "app": 4.12}
    assert durations(parse("")) == {}
