"""The ``Server-Timing`` header: who may see it, the middleware's writer, and the one parser.

The middleware writes it; ``perfkit latency`` (curl and the browser) and ``perfkit load`` read
it back with ``parse`` and ``durations``, so a header is read the same way everywhere,
quoted descriptions with commas included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from perfkit.recording import Recording

#: The entry that carries the recording's id, so a client can find its request in the store.
RECORDING_ID = "perfkit"

_PARAM = re.compile(r';\s*(\w+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;,]*)')
_METRIC = re.compile(r'\s*([^;,\s]+)((?:\s*;\s*\w+\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^;,]*))*)\s*(?:,|$)')


@dataclass
class ServerTimingEntry:
    """One metric of a ``Server-Timing`` header: ``db;dur=2.91;desc="21 queries"``."""

    name: str
    duration_ms: float | None
    description: str = ""


def allowed(request: HttpRequest, mode: Any) -> bool:
    """True/False force it; "auto" shows it under DEBUG or to an address in INTERNAL_IPS."""
    if mode is True or mode is False:
        return mode
    return bool(settings.DEBUG) or request.META.get("REMOTE_ADDR") in settings.INTERNAL_IPS


def header(recording: Recording, total_ms: float) -> str:
    """``db;dur=…;desc="N queries", cache;…, app;dur=…, total;dur=…, perfkit;desc="<id>"``.

    A request that called out over HTTP also gets ``http;dur=…;desc="N calls"``, after
    ``cache``; its time is not the app's.
    """
    db_ms = recording.db_ms
    cache_ms = recording.cache_ms
    queries = len(recording.queries)
    hits, misses = recording.cache_hits, recording.cache_misses
    outbound = _outbound(recording)
    app_ms = max(total_ms - db_ms - cache_ms - (recording.http_ms if outbound else 0.0), 0.0)
    return ", ".join(
        (
            f'db;dur={db_ms:.2f};desc="{queries} {"query" if queries == 1 else "queries"}"',
            f'cache;dur={cache_ms:.2f};desc="{hits} {"hit" if hits == 1 else "hits"}, '
            f'{misses} {"miss" if misses == 1 else "misses"}"',
            *outbound,
            f"app;dur={app_ms:.2f}",
            f"total;dur={total_ms:.2f}",
            f'{RECORDING_ID};desc="{recording.id}"',
        )
    )


def _outbound(recording: Recording) -> tuple[str, ...]:
    """The ``http`` entry, for a request that made outbound HTTP calls; else nothing."""
    calls = len(recording.http_calls)
    if not calls:
        return ()
    return (f'http;dur={recording.http_ms:.2f};desc="{calls} {"call" if calls == 1 else "calls"}"',)


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


def durations(entries: list[ServerTimingEntry]) -> dict[str, float]:
    """Durations by metric name (db, cache, http, app, total); metrics without one are left out.

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
