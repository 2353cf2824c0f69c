"""The ``Server-Timing`` header, and who may see it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from perfkit.recording import Recording

#: The entry that carries the recording's id, so a client can find its request in the store.
RECORDING_ID = "perfkit"


def allowed(request: HttpRequest, mode: Any) -> bool:
    """True/False force it; "auto" shows it under DEBUG or to an address in INTERNAL_IPS."""
    if mode is True or mode is False:
        return mode
    return bool(settings.DEBUG) or request.META.get("REMOTE_ADDR") in settings.INTERNAL_IPS


def header(recording: Recording, total_ms: float) -> str:
    """``db;dur=…;desc="N queries", cache;…, app;dur=…, total;dur=…, perfkit;desc="<id>"``."""
    db_ms = recording.db_ms
    cache_ms = recording.cache_ms
    queries = len(recording.queries)
    hits, misses = recording.cache_hits, recording.cache_misses
    app_ms = max(total_ms - db_ms - cache_ms, 0.0)
    return ", ".join(
        (
            f'db;dur={db_ms:.2f};desc="{queries} {"query" if queries == 1 else "queries"}"',
            f'cache;dur={cache_ms:.2f};desc="{hits} {"hit" if hits == 1 else "hits"}, '
            f'{misses} {"miss" if misses == 1 else "misses"}"',
            f"app;dur={app_ms:.2f}",
            f"total;dur={total_ms:.2f}",
            f'{RECORDING_ID};desc="{recording.id}"',
        )
    )
