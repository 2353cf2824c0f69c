"""Exact per-request timings: tail the plugin's JSON lines into requests."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from perfkit import server_timing


@dataclass(frozen=True)
class Request:
    """One request as Locust saw it, with the Server-Timing the app sent back.

    Under ``--rate``, ``slot`` is its arrival's number and ``lag_ms`` how late that arrival
    started: the latency from the intended start is ``ms + lag_ms``.
    """

    t: float
    method: str
    name: str
    ms: float
    status: int
    error: str | None
    request_id: str
    timing: dict[str, float]
    redirects: int = 0
    slot: int | None = None
    lag_ms: float = 0.0

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def intended_ms(self) -> float:
        return self.ms + self.lag_ms


class Tail:
    """Reads new complete lines from every ``requests-*.jsonl`` file in a directory.

    The open model's dropped arrivals (lines with ``dropped``) collect in ``dropped``.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.offsets: dict[Path, int] = {}
        self.dropped: list[int] = []

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
                if "dropped" in item:
                    self.dropped.append(item["slot"])
                    continue
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
                        slot=item.get("slot"),
                        lag_ms=item.get("lag_ms", 0.0),
                    )
                )
        return found


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan
