"""`perfkit load --matrix`: each variant on its own real stack, side by side, all stopped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perfkit.cli import main
from tests.stack.helpers import leftovers, started_pids

ROOT = Path(__file__).resolve().parents[2]


def test_matrix_runs_each_variant_and_stops_its_stack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["load", str(ROOT / "scenarios" / "load" / "api.py"), "--run-dir", str(tmp_path)]
    argv += ["--users", "3", "--duration", "3s", "--output", str(tmp_path / "report")]
    argv += ["--matrix", "app-servers=1", "--matrix", "workers=1"]
    assert main([*argv, "--matrix", "pooler=pgbouncer,none"]) == 0
    out = capsys.readouterr().out
    assert "perfkit load --matrix" in out
    runs = json.loads((tmp_path / "report" / "load.json").read_text())["runs"]
    assert [r["label"] for r in runs] == [
        "app-servers=1 workers=1 pooler=pgbouncer",
        "app-servers=1 workers=1 pooler=none",
    ]
    for run in runs:
        assert run["rps"] > 0 and run["reconciliation"]["losses"] == []
    assert runs[0]["tiers"]["pgbouncer"]["transactions"] > 0
    assert "pgbouncer" not in runs[1]["tiers"]
    variants = sorted((tmp_path / "matrix").iterdir())
    assert len(variants) == 2
    for variant in variants:
        assert "app1" in started_pids(variant) and leftovers(variant) == []
    assert "pgbouncer" not in started_pids(variants[1])
    assert (tmp_path / "report" / "load.html").read_text().count("<section>") == 2
