"""The latency report as JSON: every run, every summary, the split and the findings."""

from __future__ import annotations

from pathlib import Path

from perfkit import output
from perfkit.latency.measurements import LatencyReport

#: Bumped when a key is renamed or removed; new keys do not bump it.
SCHEMA = 1


def render(report: LatencyReport) -> str:
    """The JSON text, keys sorted so two reports diff line by line."""
    return output.json_text(report.to_dict(), SCHEMA)


def write(report: LatencyReport, path: Path) -> None:
    output.write_text(path, render(report))
