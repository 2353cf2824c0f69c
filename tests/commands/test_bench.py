"""``perfkit bench`` on the bundled demo site, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_bench_flags_the_n_plus_one_list_and_only_it(tmp_path: Path) -> None:
    output = tmp_path / "report"
    command = ["bench", "--sizes", "3,12", "--repeat", "2", "--output", str(output)]
    result = subprocess.run(
        [sys.executable, "-m", "perfkit", *command],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={"COLUMNS": "160", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "O(n) queries: demo:story_list_slow: queries ≈ 1 + 2·n" in result.stdout
    assert result.stdout.count("O(n) queries") == 1
    assert "12× " in result.stdout and "story_list_slow.html:9 via" in result.stdout
    report = json.loads((output / "bench.json").read_text())
    slow = report["scaling"]["demo:story_list_slow"]
    assert (slow["intercept"], slow["slope"]) == (1.0, 2.0)
    assert report["scaling"]["demo:story_list"]["slope"] == 0.0
    rows = {(v["view"], v["size"]): v for v in report["views"]}
    assert rows[("demo:story_list_slow", "12")]["queries_max"] == 25
    assert rows[("demo:story_list_slow", "12")]["requests"] == 2
    assert rows[("demo:front_cached", "12")]["queries_max"] == 0
    recordings = (output / "recordings.jsonl").read_text().splitlines()
    assert len(recordings) == 2 * 10 * 3  # 2 sizes × 10 URLs × (1 warm-up + 2 measured)
