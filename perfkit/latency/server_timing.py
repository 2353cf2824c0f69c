"""Parse a ``Server-Timing`` header the way the browser exposes it."""

from __future__ import annotations

import re
from typing import Any

from perfkit.latency.model import ServerTimingEntry
from perfkit.server_timing import RECORDING_ID

_PARAM = re.compile(r';\s*(\w+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;,]*)')
_METRIC = re.compile(r'\s*([^;,\s]+)((?:\s*;\s*\w+\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^;,]*))*)\s*(?:,|$)')


def parse(header: str) -> list[ServerTimingEntry]:
    """``db;dur=2.91;desc="21 queries", app;dur=4.12`` as entries; malformed parts are skipped."""
    entries = []
    for match in _METRIC.finditer(header):
        if not match[1]:
            continue
        params = {k.lower(): v.strip().strip('"') for k, v in _PARAM.findall(match[2])}
        try:
            duration = float(params["dur"]) if "dur" in params else None
        except ValueError:
            duration = None
        entries.append(ServerTimingEntry(match[1], duration, params.get("desc", "")))
    return entries


def from_browser(entries: list[dict[str, Any]]) -> list[ServerTimingEntry]:
    """Entries from ``PerformanceResourceTiming.serverTiming``."""
    return [
        ServerTimingEntry(str(e["name"]), float(e["duration"]), str(e.get("description", "")))
        for e in entries
    ]


def server_ms(entries: list[ServerTimingEntry]) -> dict[str, float]:
    """Durations by metric name (db, cache, app, total); metrics without one are left out.

    The recording-id entry has no duration (a browser reports 0 for it): it is left out too.
    """
    return {
        e.name: e.duration_ms
        for e in entries
        if e.duration_ms is not None and e.name != RECORDING_ID
    }


def recording_id(entries: list[ServerTimingEntry]) -> str | None:
    """The id of the recording perfkit's middleware made of this response, if it sent one."""
    return next((e.description for e in entries if e.name == RECORDING_ID), None)
