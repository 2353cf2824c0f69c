"""The row form every store writes: indexed columns plus the record as compact JSON."""

from __future__ import annotations

import json
from typing import Any

#: (id, started_at, view, method, status, wall_ms, payload JSON)
Row = tuple[str, float, str, str, int, float, str]

_ENCODER = json.JSONEncoder(separators=(",", ":"), default=str)


def record_row(record: dict[str, Any]) -> Row:
    """The row for a record given as a plain dict."""
    return (
        str(record["id"]),
        float(record.get("started_at", 0.0)),
        str(record.get("view") or ""),
        str(record.get("method") or ""),
        int(record.get("status") or 0),
        float(record.get("wall_ms") or 0.0),
        _ENCODER.encode(record),
    )


def as_row(record: Any) -> Row:
    """A row from a Row, a Recording (anything with ``to_dict``) or a plain dict."""
    if isinstance(record, tuple):
        return record
    to_dict = getattr(record, "to_dict", None)
    if to_dict is None:
        return record_row(record)
    return (
        record.id,
        record.started_at,
        record.view,
        record.method,
        record.status,
        record.wall_ms,
        _ENCODER.encode(to_dict()),
    )


def payload(row: Row) -> dict[str, Any]:
    """The record a row holds."""
    return json.loads(row[6])
