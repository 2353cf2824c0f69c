"""Exact per-request timings: tail the plugin's JSON lines, and percentiles over them."""

from __future__ import annotations

import contextlib
import json
import math
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Request:
    """One request as Locust saw it, with the Server-Timing the app sent back."""

    t: float
    method: str
    name: str
    ms: float
    status: int
    error: str | None
    request_id: str
    timing: dict[str, float]
    redirects: int = 0

    @property
    def failed(self) -> bool:
        return self.error is not None


def server_timing(header: str) -> dict[str, float]:
    """``db;dur=1.2;desc="…", app;dur=3`` → ``{"db": 1.2, "app": 3.0}``."""
    result: dict[str, float] = {}
    for metric in header.split(","):
        name, _, params = metric.strip().partition(";")
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "dur" and name:
                with contextlib.suppress(ValueError):
                    result[name.strip()] = float(value)
    return result


class Tail:
    """Reads new complete lines from every ``requests-*.jsonl`` file in a directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.offsets: dict[Path, int] = {}

    def read_new(self) -> list[Request]:
        found: list[Request] = []
        for path in sorted(self.directory.glob("requests-*.jsonl")):
            offset = self.offsets.get(path, 0)
            with open(path, "rb") as source:
                source.seek(offset)
                data = source.read()
            end = data.rfind(b"\n") + 1
            self.offsets[path] = offset + end
            for raw in data[:end].splitlines():
                item = json.loads(raw)
                found.append(
                    Request(
                        t=item["t"],
                        method=item["method"],
                        name=item["name"],
                        ms=item["ms"],
                        status=item["status"],
                        error=item["error"],
                        request_id=item["id"],
                        timing=server_timing(item["timing"]),
                        redirects=item.get("redirects", 0),
                    )
                )
        return found


def percentile(sorted_values: list[float], q: float) -> float:
    """Linear-interpolated percentile ``q`` (0 to 100) of already sorted values; NaN when empty."""
    if not sorted_values:
        return math.nan
    position = (len(sorted_values) - 1) * q / 100.0
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan
