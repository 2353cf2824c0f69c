"""``perfkit gate`` and ``perfkit baseline diff`` on saved runs: exit codes and outputs."""

from __future__ import annotations

import json
from pathlib import Path

from perfkit.gate.baseline import Baseline
from tests.gate.factories import LIST, OWNER, baseline, changed
from tests.servers import run_perfkit


def save(path: Path, data: Baseline) -> Path:
    path.write_text(data.dumps())
    return path


def test_unchanged_run_passes(tmp_path: Path) -> None:
    base = save(tmp_path / "base.json", baseline())
    result = run_perfkit("gate", "--baseline", str(base), "--current", str(base), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No regressions" in result.stdout


def test_regression_exits_1_with_every_ci_output(tmp_path: Path) -> None:
    base = save(tmp_path / "base.json", baseline())
    group = {"f2": {"sql": OWNER[1], "callsite": OWNER[3]}}
    current = save(
        tmp_path / "cur.json", baseline(11, LIST, OWNER, verdict="O(n)", n_plus_one=group)
    )
    summary = tmp_path / "summary.md"
    result = run_perfkit(
        "gate",
        "--baseline",
        str(base),
        "--current",
        str(current),
        "--junit",
        "junit.xml",
        "--json",
        "gate.json",
        "--gitlab-metrics",
        "metrics.txt",
        cwd=tmp_path,
        env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert result.returncode == 1
    assert "4 regression(s)" in result.stdout
    assert "::error file=shop/templates/items.html,line=4," in result.stdout
    assert "❌ perfkit gate failed" in summary.read_text()
    assert "<failure" in (tmp_path / "junit.xml").read_text()
    document = json.loads((tmp_path / "gate.json").read_text())
    assert document["schema"] == 1
    findings = document["findings"]
    assert sum(not f["passed"] for f in findings) == 4
    assert (
        'perfkit_queries{view="shop:items",size="10"} 11' in (tmp_path / "metrics.txt").read_text()
    )


def test_latency_against_a_stored_baseline_is_reported_not_gated(tmp_path: Path) -> None:
    base = save(tmp_path / "base.json", baseline(samples=[1.0] * 10))
    other = changed(baseline(samples=[3.0] * 10), fingerprint="other")
    current = save(tmp_path / "cur.json", other)
    result = run_perfkit("gate", "--baseline", str(base), "--current", str(current), cwd=tmp_path)
    assert result.returncode == 0
    assert "latency not gated" in result.stdout
    same = save(tmp_path / "same.json", baseline(samples=[3.0] * 10))
    slower = run_perfkit(
        "gate", "--baseline", str(base), "--current", str(same), "--json", "g.json", cwd=tmp_path
    )
    assert slower.returncode == 0
    assert "gate latency with --against REF" in slower.stdout
    (latency,) = [
        f
        for f in json.loads((tmp_path / "g.json").read_text())["findings"]
        if f["check"] == "latency"
    ]
    assert latency["skipped"]
    assert latency["message"].startswith("not gated, for information: slower median against")


def test_config_policy_and_bad_input(tmp_path: Path) -> None:
    base = save(tmp_path / "base.json", baseline(2))
    current = save(tmp_path / "cur.json", baseline(3))
    config = tmp_path / "perf" / "gate.toml"
    config.parent.mkdir()
    config.write_text('policy = "max"\n[allowances]\n"shop:items" = 1\n')
    result = run_perfkit("gate", "--baseline", str(base), "--current", str(current), cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    config.write_text("polcy = 1\n")
    bad = run_perfkit("gate", "--baseline", str(base), "--current", str(current), cwd=tmp_path)
    assert (bad.returncode, bad.stderr.count("\n")) == (2, 1)
    assert "unknown key 'polcy'" in bad.stderr
    config.unlink()
    (tmp_path / "junk.json").write_text("{not json")
    junk = run_perfkit("gate", "--baseline", "junk.json", "--current", str(current), cwd=tmp_path)
    assert junk.returncode == 2 and "junk.json: not a readable JSON baseline" in junk.stderr


def test_baseline_diff(tmp_path: Path) -> None:
    old = save(tmp_path / "old.json", baseline(2))
    new = save(tmp_path / "new.json", baseline(3))
    result = run_perfkit("baseline", "diff", str(old), str(new), cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == "~ shop:items n=10: 2 → 3 queries\n"
    same = run_perfkit("baseline", "diff", str(old), str(old), cwd=tmp_path)
    assert same.stdout == "no changes\n"
