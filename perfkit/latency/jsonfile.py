"""The report as JSON: every run, every summary, the split and the findings."""

from __future__ import annotations

import json
from pathlib import Path

from perfkit.latency.model import LatencyReport


def render(report: LatencyReport) -> str:
    """The JSON text, keys sorted so two reports diff line by line."""
    return json.dumps(report.to_dict(), indent=2, sort_keys=True) + "\n"


def write(report: LatencyReport, path: Path) -> None:
    path.write_text(render(report))
