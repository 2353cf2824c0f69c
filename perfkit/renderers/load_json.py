"""The load report as JSON: the LoadResult (or a matrix of them), through the output layer."""

from __future__ import annotations

from pathlib import Path

from perfkit import output
from perfkit.load.result import LoadResult

#: Bumped when a key is renamed or removed; new keys do not bump it.
SCHEMA = 1


def write(results: list[LoadResult], path: Path) -> None:
    """``{"schema": 1, "runs": [...]}``: one entry per run (a matrix has several)."""
    output.write_text(path, output.json_text({"runs": [r.to_dict() for r in results]}, SCHEMA))
