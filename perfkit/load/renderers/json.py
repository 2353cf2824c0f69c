"""The load report as JSON: the LoadResult (or a matrix of them) with NaN written as null."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from perfkit.load.model import LoadResult


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def write(path: Path, results: list[LoadResult]) -> None:
    """``{"runs": [...]}``: one entry per run (a matrix has several)."""
    data = {"version": 1, "runs": [_clean(r.to_dict()) for r in results]}
    path.write_text(json.dumps(data, indent=2, allow_nan=False))
