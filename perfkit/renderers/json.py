"""The report as JSON: stable (sorted keys, two-space indent), schema in docs/report-json.md."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from perfkit.analysis.model import Report

#: Bumped when a key is renamed or removed; new keys do not bump it.
SCHEMA = 1


def dumps(report: Report) -> str:
    """The report as a JSON document that diffs well between runs."""
    data = _finite({"schema": SCHEMA, **report.to_dict()})
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def write(report: Report, path: Path) -> None:
    """Write the report to ``path`` as UTF-8 JSON."""
    Path(path).write_text(dumps(report), encoding="utf-8")


def _finite(value: Any) -> Any:
    """NaN and infinities become null: JSON has no spelling for them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value
