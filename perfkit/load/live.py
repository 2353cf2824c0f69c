"""The rich live view while Locust runs: elapsed, users, requests/s, p95, failures."""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from perfkit.load.timings import Request
from perfkit.quantiles import percentile
from perfkit.renderers.formatting import fixed

RPS_WINDOW_S = 2.0


class LiveStats:
    """Running totals from the requests read so far."""

    def __init__(self, out_dir: Path, duration_s: float, label: str) -> None:
        self.out_dir = out_dir
        self.duration_s = duration_s
        self.label = label
        self.times: list[float] = []
        self.recent: deque[float] = deque()
        self.failures = 0
        self.extra: dict[str, str] = {}

    def add(self, requests: list[Request], now: float) -> None:
        for request in requests:
            self.times.append(request.ms)
            self.recent.append(request.t + request.ms / 1000.0)
            self.failures += request.failed
        while self.recent and self.recent[0] < now - RPS_WINDOW_S:
            self.recent.popleft()

    def users(self) -> int:
        try:
            last = (self.out_dir / "users.jsonl").read_text().strip().rsplit("\n", 1)[-1]
            return int(json.loads(last)["users"])
        except (OSError, ValueError, KeyError, IndexError):
            return 0

    def table(self, elapsed: float) -> Table:
        table = Table(title=escape(f"perfkit load: {self.label}"), title_justify="left")
        for column in ("elapsed", "users", "req/s", "p95 ms", "requests", "failures"):
            table.add_column(column, justify="right")
        for name in self.extra:
            table.add_column(name, justify="right")
        p95 = percentile(self.times, 95)
        table.add_row(
            f"{elapsed:.0f}/{self.duration_s:.0f}s",
            str(self.users()),
            f"{len(self.recent) / RPS_WINDOW_S:.0f}",
            fixed(p95),
            str(len(self.times)),
            str(self.failures),
            *self.extra.values(),
        )
        return table
