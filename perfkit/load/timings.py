"""Exact per-request timings: tail the plugin's JSON lines into requests."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from perfkit import server_timing


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
                        timing=server_timing.durations(server_timing.parse(item["timing"])),
                        redirects=item.get("redirects", 0),
                    )
                )
        return found


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan
