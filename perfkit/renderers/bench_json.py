"""The report as JSON: stable (sorted keys, two-space indent), schema in docs/report-json.md."""

from __future__ import annotations

from pathlib import Path

from perfkit import output
from perfkit.analysis.report import Report

#: Bumped when a key is renamed or removed; new keys do not bump it.
SCHEMA = 1


def dumps(report: Report) -> str:
    """The report as a JSON document that diffs well between runs."""
    return output.json_text(report.to_dict(), SCHEMA)


def write(report: Report, path: Path) -> None:
    """Write the report to ``path`` as UTF-8 JSON."""
    output.write_text(path, dumps(report))
