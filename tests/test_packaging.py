"""The installed distribution: entry points and a base install that needs only Django."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from importlib.metadata import distribution, entry_points
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_entry_points_are_installed() -> None:
    scripts = {ep.name: ep.value for ep in entry_points(group="console_scripts")}
    plugins = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert scripts["perfkit"] == "perfkit.cli:main"
    assert plugins["perfkit"] == "perfkit.pytest_plugin"


def test_the_base_install_requires_only_django() -> None:
    requires = distribution("perfkit").requires or []
    base = [r for r in requires if "extra ==" not in r]
    assert [re.split(r"[<>=!;\s]", r)[0] for r in base] == ["Django"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """perfkit's wheel, built from this checkout."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("perfkit-*.whl")
    return built


def test_the_wheel_carries_the_tiers_the_scenarios_and_the_type_marker(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "perfkit/py.typed",
        "perfkit/tiers/nginx.conf",
        "perfkit/tiers/pgbouncer.ini",
        "perfkit/tiers/gunicorn.conf.py",
        "perfkit/scenarios/bench/demo.py",
        "perfkit/scenarios/load/browse.py",
        "perfkit/templates/perfkit/panel.html",
        "perfkit/templates/reports/bench.html",
        "perfkit/templates/reports/latency.html",
    } <= names
    assert not [n for n in names if n.startswith(("tests/", "middleware/", "scenarios/"))]


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv outside the checkout with the wheel and the extras its commands use."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    # The checkout's venv decides the versions, so the fresh one installs what is cached.
    pins = tmp_path_factory.mktemp("pins") / "constraints.txt"
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pins.write_text(frozen)
    subprocess.run([*pip, "-c", str(pins), f"{wheel}[cli,stack,browser]"], check=True)
    return venv / "bin" / "perfkit"


def _perfkit(perfkit: Path, cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PERFKIT_"))}
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [str(perfkit), *argv],
        cwd=cwd,
        env={**env, "PATH": f"{perfkit.parent}:{env['PATH']}"},
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_every_command_runs_from_an_empty_directory(installed: Path, tmp_path: Path) -> None:
    """bench, report, gate, baseline diff, stack up / load / down, latency and init, with
    nothing of the checkout at hand."""
    sizes = ("--sizes", "3,6")
    bench = _perfkit(
        installed, tmp_path, "bench", *sizes, "--repeat", "1", "--save-baseline", "b.json"
    )
    assert bench.returncode == 0, bench.stderr
    report = json.loads((tmp_path / "perfkit-report" / "bench.json").read_text())
    flagged = [v["view"] for v in report["views"] if "n_plus_one" in v["flags"]]
    assert any(view.endswith("story_list_slow") for view in flagged), flagged

    store = f"jsonl://{tmp_path / 'perfkit-report' / 'recordings.jsonl'}"
    again = _perfkit(installed, tmp_path, "report", "--store", store, "--json", "again.json")
    assert again.returncode == 0, again.stderr
    reread = json.loads((tmp_path / "again.json").read_text())
    assert {v["view"] for v in reread["views"]} == {v["view"] for v in report["views"]}
    diff = _perfkit(installed, tmp_path, "baseline", "diff", "b.json", "b.json")
    assert (diff.returncode, diff.stdout) == (0, "no changes\n"), diff.stderr
    gate = _perfkit(installed, tmp_path, "gate", "--baseline", "b.json", "--current", "b.json")
    assert gate.returncode == 0, gate.stdout + gate.stderr
    assert re.search(r"No regressions; [1-9]\d* checks passed", gate.stdout), gate.stdout

    up = _perfkit(
        installed, tmp_path, "stack", "up", "--app-servers", "1", "--workers", "1", "--size", "5"
    )
    try:
        assert up.returncode == 0, up.stderr
        load = _perfkit(installed, tmp_path, "load", "browse", "--users", "2", "--duration", "3s")
        assert load.returncode == 0, load.stderr
        result = json.loads((tmp_path / "perfkit-report" / "load" / "load.json").read_text())
        assert result["runs"][0]["requests"] > 0
        latency = _perfkit(installed, tmp_path, "latency", "--runs", "1", "--json", "lat.json")
        assert latency.returncode == 0, latency.stderr
        measured = json.loads((tmp_path / "lat.json").read_text())["results"]
        assert measured and all(r["error"] is None for r in measured)
    finally:
        down = _perfkit(installed, tmp_path, "stack", "down")
    assert down.returncode == 0, down.stderr

    init = _perfkit(installed, tmp_path, "init", "scenarios")
    assert init.returncode == 0, init.stderr
    copied = tmp_path / "scenarios" / "load" / "browse.py"
    assert copied.read_text() == (ROOT / "scenarios" / "load" / "browse.py").read_text()
