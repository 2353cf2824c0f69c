"""Bad input to ``perfkit bench``: one clear line, exit status 2, and nothing recorded is lost."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.bench.conftest import ROOT, perfkit


def assert_one_line(result: subprocess.CompletedProcess[str], start: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"perfkit: error: {start}"), result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_an_unknown_settings_module(tmp_path: Path) -> None:
    result = perfkit(tmp_path, "bench", "--settings", "nosuch.settings")
    assert_one_line(result, f"--settings nosuch.settings: no such module in {tmp_path}")


def test_a_settings_module_that_fails_to_import(project: Path) -> None:
    (project / "mysite/settings.py").write_text("SECRET_KEY = 1 / 0\n")
    result = perfkit(project, "bench", "--settings", "mysite.settings")
    assert_one_line(result, "--settings mysite.settings fails to import: ZeroDivisionError")


def test_a_urlconf_that_fails_to_import(project: Path) -> None:
    urls = project / "mysite/urls.py"
    urls.write_text("import no_such_module_here\n" + urls.read_text())
    result = perfkit(project, "bench", "--settings", "mysite.settings")
    assert_one_line(
        result,
        "the URLconf 'mysite.urls' fails to import: ModuleNotFoundError: "
        "No module named 'no_such_module_here'",
    )
    assert not (project / "real.sqlite3").exists()


def test_a_scenario_with_a_syntax_error(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("URLS = [\n    '/ping/',\n    (\n")
    result = perfkit(tmp_path, "bench", "--scenario", "broken.py")
    assert_one_line(result, "scenario broken.py: syntax error at line")


def test_a_scenario_whose_setup_fails_keeps_what_was_recorded(tmp_path: Path) -> None:
    (tmp_path / "grows.py").write_text(
        "from perfkit.demo.data import populate\n"
        "URLS = ['/ping/', '/stories/']\n"
        "def setup(n):\n"
        "    if n > 5:\n"
        "        raise RuntimeError('the disk is full')\n"
        "    populate(n)\n"
    )
    args = ("bench", "--scenario", "grows.py", "--sizes", "2,9", "--repeat", "2")
    last_run = tmp_path / "perfkit-report/recordings.jsonl"
    last_run.parent.mkdir()
    last_run.write_text('{"the": "last good run"}\n')
    result = perfkit(tmp_path, *args)
    assert_one_line(result, "scenario grows.py: setup(9) raised RuntimeError: the disk is full")
    incomplete = tmp_path / "perfkit-report/recordings.incomplete.jsonl"
    assert result.stderr.rstrip().endswith("before it is in perfkit-report/" + incomplete.name)
    assert last_run.read_text() == '{"the": "last good run"}\n'
    assert [p.name for p in last_run.parent.iterdir() if p.name.startswith(".")] == []
    lines = incomplete.read_text().splitlines()
    kept = [json.loads(line) for line in lines]
    measured = [r for r in kept if r["labels"]["phase"] == "measure"]
    assert {(r["view"], r["labels"]["size"]) for r in measured} == {
        ("demo:ping", "2"),
        ("demo:story_list", "2"),
    }
    assert len(measured) == 4


def test_a_login_user_that_does_not_exist(tmp_path: Path) -> None:
    (tmp_path / "ping.py").write_text("URLS = ['/ping/']\n")
    result = perfkit(tmp_path, "bench", "--scenario", "ping.py", "--login", "ghost")
    assert_one_line(result, "--login ghost: no such user in the data")


def test_sigterm_stops_the_run_and_keeps_the_last_one(tmp_path: Path) -> None:
    last_run = tmp_path / "perfkit-report/recordings.jsonl"
    last_run.parent.mkdir()
    last_run.write_text('{"the": "last good run"}\n')
    (tmp_path / "slow.py").write_text(
        "import time\nURLS = ['/ping/']\ndef setup(n):\n    time.sleep(60)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "perfkit", "bench", "--scenario", "slow.py"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 120
    while not list(last_run.parent.glob(".bench-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    # Either way the run ended as Ctrl-C ends it: status 130, or (seen once on a loaded
    # machine) CPython ending itself with SIGINT after the message, which a shell also
    # reports as 130.
    assert process.returncode in (130, -signal.SIGINT), stderr
    assert stderr == "perfkit: interrupted\n"
    assert last_run.read_text() == '{"the": "last good run"}\n'
    assert [p.name for p in last_run.parent.iterdir()] == ["recordings.jsonl"]


def test_a_scenario_url_for_a_user_who_does_not_exist(tmp_path: Path) -> None:
    (tmp_path / "ghost.py").write_text("URLS = [{'path': '/ping/', 'user': 'ghost'}]\n")
    result = perfkit(tmp_path, "bench", "--scenario", "ghost.py", "--sizes", "2,3")
    assert_one_line(
        result,
        "the scenario requests /ping/ as 'ghost': no such user in the data; add it to the "
        "scenario's USERS",
    )
