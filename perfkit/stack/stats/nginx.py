"""Parse the stack's nginx access log (one JSON object per request, see middleware/nginx.conf)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class AccessLine:
    """One request as nginx saw it; times in milliseconds, ``None`` when nginx logged "-"."""

    end: float
    request_id: str
    method: str
    uri: str
    status: int
    request_ms: float
    upstream_connect_ms: float | None
    upstream_header_ms: float | None
    upstream_ms: float | None
    upstream_addrs: tuple[str, ...]
    upstream_statuses: tuple[str, ...]

    @property
    def proxied(self) -> bool:
        return bool(self.upstream_addrs)

    @property
    def failed_over(self) -> bool:
        """nginx tried more than one app server for this request."""
        return len(self.upstream_addrs) > 1


def _seconds_sum(value: str) -> float | None:
    """nginx lists one time per upstream tried ("0.001, 0.004"); their sum, in ms."""
    parts = [p.strip() for p in value.replace(":", ",").split(",") if p.strip()]
    numbers = [float(p) for p in parts if p != "-"]
    return sum(numbers) * 1000.0 if numbers else None


def parse_line(text: str) -> AccessLine | None:
    """One log line, or None for a line that is not the stack's JSON format."""
    try:
        data = json.loads(text)
        addrs = tuple(a.strip() for a in data["upstream_addr"].split(",") if a.strip())
        return AccessLine(
            end=float(data["msec"]),
            request_id=data["id"],
            method=data["method"],
            uri=data["uri"],
            status=int(data["status"]),
            request_ms=float(data["request_time"]) * 1000.0,
            upstream_connect_ms=_seconds_sum(data["upstream_connect_time"]),
            upstream_header_ms=_seconds_sum(data["upstream_header_time"]),
            upstream_ms=_seconds_sum(data["upstream_response_time"]),
            upstream_addrs=addrs,
            upstream_statuses=tuple(
                s.strip() for s in data["upstream_status"].split(",") if s.strip()
            ),
        )
    except (ValueError, KeyError, TypeError):
        return None


def read(path: Path, start: float, end: float) -> list[AccessLine]:
    """Lines for requests that finished between ``start`` and ``end`` (epoch seconds)."""
    lines = []
    try:
        with open(path, errors="replace") as log:
            for text in log:
                line = parse_line(text)
                if line is not None and start <= line.end <= end:
                    lines.append(line)
    except FileNotFoundError:
        return []
    return lines
