"""A malformed baseline is one clear line, exit 2, in ``gate`` and ``baseline diff`` alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from perfkit.cli import main
from perfkit.gate.baseline import FORMAT

GOOD_VIEW = {
    "sizes": {"5": {"queries": 2, "fingerprints": {"f1": {"count": 1}}, "cache_hit_ratio": None}},
    "verdict": "O(1)",
    "n_plus_one": {},
}


def write(tmp_path: Path, name: str, views: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"format": FORMAT, "views": views, "latency_ms": {}}))
    return path


@pytest.mark.parametrize(
    ("views", "problem"),
    [
        ({"demo:ping": 5}, "view 'demo:ping' has no \"sizes\" object"),
        ({"demo:ping": {"sizes": {"5": []}}}, "view 'demo:ping' size '5' is not an object"),
        (
            {"demo:ping": {"sizes": {"5": {"queries": "two"}}}},
            "view 'demo:ping' size '5' has no whole \"queries\" count",
        ),
        (
            {"demo:ping": {"sizes": {"5": {"queries": 2, "fingerprints": {"f1": 3}}}}},
            "view 'demo:ping' size '5' has \"fingerprints\" that are not objects with a \"count\"",
        ),
        (
            {"demo:ping": {**GOOD_VIEW, "n_plus_one": []}},
            "view 'demo:ping' has an \"n_plus_one\" that is not an object",
        ),
    ],
)
@pytest.mark.parametrize("command", ["gate", "diff"])
def test_a_malformed_view_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], views: Any, problem: str, command: str
) -> None:
    bad = write(tmp_path, "bad.json", views)
    good = write(tmp_path, "good.json", {"demo:ping": GOOD_VIEW})
    argv = (
        ["gate", "--baseline", str(bad), "--current", str(good)]
        if command == "gate"
        else ["baseline", "diff", str(good), str(bad)]
    )
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err == (
        f"perfkit: error: {bad}: {problem}; save the baseline again with "
        "perfkit bench --save-baseline\n"
    )


def test_a_well_formed_baseline_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, "good.json", {"demo:ping": GOOD_VIEW})
    assert main(["baseline", "diff", str(good), str(good)]) == 0
    assert capsys.readouterr().out == "no changes\n"
