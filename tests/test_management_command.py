"""``manage.py perfkit bench|report``: perfkit's CLI with the project's settings implied."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from perfkit.store import redact_url, writer


def manage(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``manage.py`` for the demo site, as a user runs it: a separate process."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "perfkit.demo.settings"}
    return subprocess.run(
        [sys.executable, "-m", "django", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_bench_runs_on_the_project_settings(tmp_path: Path) -> None:
    output = tmp_path / "report"
    argv = ["--sizes", "3,9", "--repeat", "1", "--warmup", "0", "--output", str(output)]
    done = manage("perfkit", "bench", *argv, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads((output / "bench.json").read_text())
    assert report["source"] == "perfkit.demo.settings"
    assert {"demo:story_list_slow", "demo:tag_cloud"} <= {v["view"] for v in report["views"]}
    assert f"Report written to {output / 'bench.json'}" in " ".join(done.stdout.split())


def test_bench_errors_are_one_line_and_status_2(tmp_path: Path) -> None:
    done = manage("perfkit", "bench", "--sizes", "10", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "perfkit: error: --sizes '10' needs two or more sizes above 0; try --sizes 5,30"
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nope"], "CommandError: unknown perfkit command 'nope'; use bench or report"),
        ([], "CommandError: no perfkit command; use bench or report"),
    ],
)
def test_an_unknown_command_is_one_line_and_status_2(
    tmp_path: Path, argv: list[str], message: str
) -> None:
    done = manage("perfkit", *argv, cwd=tmp_path)
    assert (done.returncode, done.stderr.splitlines()) == (2, [message])


def test_report_reads_the_store_the_project_records_to(
    client: Any, db: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = f"jsonl://{tmp_path / 'store.jsonl'}"
    shown = redact_url(store)  # as perfkit prints a store URL
    with override_settings(PERFKIT={"STORE": store, "STORE_IN_TESTS": True}):
        for _ in range(3):
            client.get("/ping/")
        assert writer.flush()
        call_command("perfkit", "report", "--json", str(tmp_path / "report.json"))
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["source"] == shown
    assert [(v["view"], v["sizes"][0]["requests"]) for v in report["views"]] == [("demo:ping", 3)]
    assert "demo:ping" in capsys.readouterr().out


def test_report_errors_exit_2_with_perfkits_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty.jsonl").touch()
    empty = f"jsonl://{tmp_path / 'empty.jsonl'}"
    with pytest.raises(SystemExit) as exit_info:
        call_command("perfkit", "report", "--store", empty)
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"perfkit: error: no recordings in {redact_url(empty)} match; "
        "check --store, --since and --view"
    ]


def test_call_command_raises_a_command_error_with_status_2() -> None:
    with pytest.raises(CommandError, match="unknown perfkit command 'gate'") as error:
        call_command("perfkit", "gate")
    assert error.value.returncode == 2
