"""Parse a ``Server-Timing`` header the way the browser exposes it."""

from __future__ import annotations

import re
from typing import Any

from perfkit.latency.model import ServerTimingEntry

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
    """Durations by metric name (db, cache, app, total); metrics without one are left out."""
    return {e.name: e.duration_ms for e in entries if e.duration_ms is not None}
