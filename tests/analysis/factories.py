"""Small builders of Recordings for analysis tests."""

from __future__ import annotations

import itertools

from perfkit.fingerprint import fingerprint
from perfkit.recording import HttpEvent, QueryEvent, Recording

_ids = itertools.count()


def query(sql: str, rows: int | None = None, params: str = "p", ms: float = 0.1) -> QueryEvent:
    fp, normalized = fingerprint(sql)
    return QueryEvent(
        "default", fp, normalized, ms, rows, "app/views.py:1 in v", False, None, params
    )


def recording(view: str = "app:v", *queries: QueryEvent, size: str = "", **fields) -> Recording:
    values = {"status": 200, "wall_ms": 5.0, "body_hash": "b", "view": view, **fields}
    method = values.pop("method", "GET")
    started_at = values.pop("started_at", 0.0)
    labels = {"size": size, "phase": "measure"} if size else {}
    return Recording(
        f"r{next(_ids)}", started_at, method, queries=list(queries), labels=labels, **values
    )


def http_call(
    pattern: str = "/users/#",
    *,
    queries_before: int = 0,
    ms: float = 2.0,
    status: int | None = 200,
    site: str = "app/views.py:7 in v",
) -> HttpEvent:
    return HttpEvent("GET", "api.example.com", pattern, status, ms, site, queries_before)
