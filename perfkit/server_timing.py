"""The ``Server-Timing`` header: who may see it, the middleware's writer, and the one parser.

The middleware writes it; ``perfkit latency`` (curl and the browser) and ``perfkit load`` read
it back with ``parse`` and ``durations``, so a header is read the same way everywhere,
quoted descriptions with commas included.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
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
    debug, internal_ips = _audience()
    return debug or request.META.get("REMOTE_ADDR") in internal_ips


@functools.cache
def _audience() -> tuple[bool, frozenset[Any] | Any]:
    """``(DEBUG, INTERNAL_IPS)``, read once: two settings lookups on every request cost ~0.4 µs."""
    ips: Any = settings.INTERNAL_IPS
    if type(ips) in (list, tuple, set):  # not a container of the project's own: ask that one
        ips = frozenset(ips)
    return bool(settings.DEBUG), ips


@receiver(setting_changed)
def _reset_audience(*, setting: str, **kwargs: Any) -> None:
    if setting in ("DEBUG", "INTERNAL_IPS"):
        _audience.cache_clear()


#: The header of a request that made no query and no cache call (most of a site's requests
#: spend none of either): one formatting instead of five.
_NOTHING_USED = (
    'db;dur=0.00;desc="0 queries", cache;dur=0.00;desc="0 hits, 0 misses", '
    "app;dur=%.2f, total;dur=%.2f, " + RECORDING_ID + ';desc="%s"'
)


def header(recording: Recording, total_ms: float) -> str:
    """``db;dur=…;desc="N queries", cache;…, app;dur=…, total;dur=…, perfkit;desc="<id>"``.

    A request that called out over HTTP also gets ``http;dur=…;desc="N calls"``, after
    ``cache``; its time is not the app's.
    """
    queries, cache_ops, calls = recording.queries, recording.cache_ops, recording.http_calls
    if not queries and not cache_ops and not calls:
        return _NOTHING_USED % (max(total_ms, 0.0), total_ms, recording.id)
    db_ms = 0.0
    for query in queries:
        db_ms += query.duration_ms
    cache_ms = 0.0
    hits = misses = 0
    for op in cache_ops:
        cache_ms += op.duration_ms
        hits += op.hits
        if op.hit is not None:
            misses += op.keys - op.hits
    http_ms = recording.http_ms if calls else 0.0
    outbound = ""
    if calls:
        outbound = f'http;dur={http_ms:.2f};desc="{_counted(len(calls), "call", "calls")}", '
    return _USED % (
        db_ms,
        _counted(len(queries), "query", "queries"),
        cache_ms,
        _counted(hits, "hit", "hits"),
        _counted(misses, "miss", "misses"),
        outbound,
        max(total_ms - db_ms - cache_ms - http_ms, 0.0),
        total_ms,
        recording.id,
    )


_USED = (
    'db;dur=%.2f;desc="%s", cache;dur=%.2f;desc="%s, %s", %sapp;dur=%.2f, total;dur=%.2f, '
    + RECORDING_ID
    + ';desc="%s"'
)


@functools.lru_cache(maxsize=1024)
def _counted(count: int, one: str, many: str) -> str:
    """``"1 query"``, ``"3 queries"``: made once per count (a request's header is built
    on every request; its counts are few)."""
    return f"{count} {one if count == 1 else many}"


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
