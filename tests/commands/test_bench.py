"""``perfkit bench`` on the bundled demo site, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def bench(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "perfkit", "bench", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={"COLUMNS": "160", "PATH": "/usr/bin:/bin"},
    )


def test_bench_flags_the_n_plus_one_list_and_only_it(tmp_path: Path) -> None:
    output = tmp_path / "report"
    result = bench(tmp_path, "--sizes", "3,12", "--repeat", "2", "--output", str(output))
    assert result.returncode == 0, result.stderr
    assert "queries ≈ 1 + 2·n" in result.stdout
    assert "12× " in result.stdout and "story_list_slow.html:9 via" in result.stdout
    report = json.loads((output / "bench.json").read_text())
    views = {v["view"]: v for v in report["views"]}
    assert [v for v in views if "o_n_queries" in views[v]["flags"]] == ["demo:story_list_slow"]
    slow = views["demo:story_list_slow"]
    assert (slow["fit"]["intercept"], slow["fit"]["slope"]) == (1.0, 2.0)
    assert views["demo:story_list"]["fit"]["slope"] == 0.0
    sizes = {s["size"]: s for s in slow["sizes"]}
    assert (sizes["12"]["queries_max"], sizes["12"]["requests"]) == (25, 2)
    # The page cache serves every warm request; the first at each size runs on empty caches.
    cached = views["demo:front_cached"]["sizes"][-1]
    assert cached["warm_queries_mean"] == 0 and cached["cold_queries"] > 0
    recordings = (output / "recordings.jsonl").read_text().splitlines()
    assert len(recordings) == 2 * 11 * 3  # 2 sizes × 11 requests × (1 warm-up + 2 measured)


def test_the_demo_run_posts_to_the_add_form_after_the_reads(tmp_path: Path) -> None:
    result = bench(tmp_path, "--sizes", "2,4", "--repeat", "1", "--warmup", "0")
    assert result.returncode == 0, result.stderr
    lines = (tmp_path / "perfkit-report/recordings.jsonl").read_text().splitlines()
    methods = [json.loads(line)["method"] for line in lines]
    assert methods == ["GET"] * 10 + ["POST"] + ["GET"] * 10 + ["POST"]
    report = json.loads((tmp_path / "perfkit-report/bench.json").read_text())
    add = next(v for v in report["views"] if v["view"] == "demo:story_add")
    assert add["methods"] == ["GET", "POST"]
    assert {"demo_story", "demo_story_tags"} <= set(add["tables_written"])


def test_profile_saves_html_for_each_flagged_view_and_links_it(tmp_path: Path) -> None:
    result = bench(tmp_path, "--sizes", "3,12", "--repeat", "2", "--profile")
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "perfkit-report/bench.json").read_text())
    flagged = {v["view"]: v["profile"] for v in report["views"] if v["flags"]}
    assert "demo:story_list_slow" in flagged
    assert all(v["profile"] is None for v in report["views"] if not v["flags"])
    for view, profile in flagged.items():
        page = (tmp_path / "perfkit-report" / profile).read_text()
        assert "pyinstrument" in page, view
    slow = (tmp_path / "perfkit-report" / flagged["demo:story_list_slow"]).read_text()
    assert "story_list_slow" in slow
