"""``perfkit.bench.run``: a bench run as a library call, returning its report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# Django is configured once per process: the call runs in a process of its own, as a
# script using perfkit as a library would.
SCRIPT = """
import json, sys
from pathlib import Path
from perfkit.bench import BenchOptions, run

result = run(BenchOptions(sizes=[3, 6], repeat=1, login="none"), Path(sys.argv[1]))
flagged = sorted(v.view for v in result.report.views if "n_plus_one" in v.flags)
print(json.dumps({"flagged": flagged, "recordings": len(result.recordings)}))
"""


def test_a_library_call_returns_the_report_and_its_recordings(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert any(view.endswith("story_list_slow") for view in found["flagged"])
    stored = (out / "recordings.jsonl").read_text().splitlines()
    assert found["recordings"] > 0 and len(stored) >= found["recordings"]
    assert not (out / "bench.json").exists()  # the report files are the command's choice
