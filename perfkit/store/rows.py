"""The row form every store writes: indexed columns plus the record as compact JSON."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from typing import Any

from perfkit.recording import Packed, Recording, unpacked

#: (id, started_at, view, method, status, wall_ms, payload JSON)
Row = tuple[str, float, str, str, int, float, str]
#: A Row whose payload is still the packed recording (:func:`pending_row`).
PendingRow = tuple[str, float, str, str, int, float, Packed]

_ENCODER = json.JSONEncoder(separators=(",", ":"), default=str)


def _accelerated() -> Callable[[Any], str] | None:
    """orjson's encoder when it is installed (never required): ~10x faster than ``json``'s.

    The background writer encodes every recording while requests run, holding the GIL:
    with ``json`` that is ~65,000 instructions a recording, about a tenth of a request's.
    It writes the same JSON but for spelling (``1e16`` for ``1e+16``, UTF-8 for ``\\u``
    escapes): the same values read back. What it refuses (a NaN, an int above 64 bits) goes
    to ``json``.
    """
    try:
        orjson: Any = importlib.import_module("orjson")
    except ImportError:
        return None
    dumps, option, refused = orjson.dumps, orjson.OPT_NON_STR_KEYS, orjson.JSONEncodeError

    def encode(record: Any) -> str:
        try:
            return dumps(record, default=str, option=option).decode()
        except refused:
            return _ENCODER.encode(record)

    return encode


#: The record as compact JSON: every store's payload column.
encode = _accelerated() or _ENCODER.encode


def record_row(record: dict[str, Any]) -> Row:
    """The row for a record given as a plain dict."""
    return (
        str(record["id"]),
        float(record.get("started_at", 0.0)),
        str(record.get("view") or ""),
        str(record.get("method") or ""),
        int(record.get("status") or 0),
        float(record.get("wall_ms") or 0.0),
        encode(record),
    )


def pending_row(recording: Recording) -> PendingRow:
    """A Recording's row with its payload not yet encoded: :meth:`Recording.packed` in its
    place, so what waits for the background writer is plain tuples, cheap to hold."""
    return (
        recording.id,
        recording.started_at,
        recording.view,
        recording.method,
        recording.status,
        recording.wall_ms,
        recording.packed(),
    )


def as_row(record: Any) -> Row:
    """A row from a Row, a pending row, a Recording or a plain dict."""
    if isinstance(record, Recording):
        record = pending_row(record)
    if not isinstance(record, tuple):
        return record_row(record)
    packed = record[6]
    if isinstance(packed, str):
        return record  # a Row already
    return (*record[:6], encode(unpacked(packed)))


def payload(row: Row) -> dict[str, Any]:
    """The record a row holds."""
    return json.loads(row[6])
