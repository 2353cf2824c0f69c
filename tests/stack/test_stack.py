"""The real stack, end to end: up, status, logs, refusing a second up, load, a dead app
server mid-run, and down leaving nothing behind. The tests run in order on one stack."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from perfkit.cli import main
from perfkit.latency.demo_server import running_stack
from perfkit.load.loadtest import run as run_load
from perfkit.load.locust_process import PLUGIN, LocustRun
from perfkit.stack import processes
from perfkit.stack.down import down
from perfkit.stack.state import STATE_FILE, load
from tests.conftest import free_port
from tests.stack.helpers import leftovers, started_pids

ROOT = Path(__file__).resolve().parents[2]
BROWSE = ROOT / "scenarios" / "load" / "browse.py"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("stack")
    argv = ["stack", "up", "--run-dir", str(path), "--app-servers", "2", "--workers", "1"]
    code = main([*argv, "--size", "10"])
    try:
        assert code == 0
        yield path
    finally:
        state = load(path)
        if state is not None:
            down(state)
        assert leftovers(path) == []


def test_up_starts_every_tier_behind_nginx(run_dir: Path) -> None:
    state = load(run_dir)
    assert state is not None
    kinds = [t.kind for t in state.tiers]
    assert kinds == ["postgresql", "pgbouncer", "memcached", "app", "app", "nginx"]
    assert all(processes.alive(t.pid) for t in state.tiers)
    assert state.database_url.endswith(state.tier("pgbouncer")[0].address + "/perfkit")
    page = httpx.get(f"{state.url}/stories/")
    assert page.status_code == 200
    assert "db;dur=" in page.headers["Server-Timing"]
    static = httpx.get(f"{state.url}/static/demo/site.css")
    assert static.status_code == 200
    lines = [
        json.loads(x) for x in (run_dir / "logs" / "nginx-access.log").read_text().split("\n") if x
    ]
    by_id = {line["id"]: line for line in lines}
    assert by_id[page.headers["X-Request-Id"]]["upstream_addr"] in [
        t.address for t in state.tier("app")
    ]
    assert by_id[static.headers["X-Request-Id"]]["upstream_addr"] == ""  # nginx served it itself


def test_status_and_logs(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stack", "status", "--run-dir", str(run_dir)]) == 0
    out = capsys.readouterr().out
    assert "pgbouncer" in out and "DOWN" not in out
    assert main(["stack", "logs", "--run-dir", str(run_dir), "pgbouncer", "-n", "3"]) == 0
    assert "==> pgbouncer" in capsys.readouterr().out
    assert main(["stack", "logs", "--run-dir", str(run_dir), "varnish"]) == 2
    assert "no tier 'varnish'" in capsys.readouterr().err


def test_latency_measures_the_demo_on_the_running_stack(run_dir: Path, tmp_path: Path) -> None:
    site = running_stack(run_dir)
    assert site is not None
    url = load(run_dir).url
    assert site.urls == [f"{url}/", f"{url}/stories/", f"{url}/stories/slow/"]
    out = tmp_path / "latency.json"
    argv = ["latency", "--stack-dir", str(run_dir), "--runs", "1", "--cold", "--json", str(out)]
    assert main(argv) == 0
    report = json.loads(out.read_text())
    assert "running stack" in json.dumps(report)
    assert running_stack(tmp_path) is None


def test_a_second_up_is_refused_and_changes_nothing(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = started_pids(run_dir)
    assert main(["stack", "up", "--run-dir", str(run_dir)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already up" in err
    assert started_pids(run_dir) == before
    assert all(processes.alive(pid) for pid in before.values())


def test_load_reconciles_and_attributes_time(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report"
    argv = ["load", str(BROWSE), "--run-dir", str(run_dir), "--users", "6", "--duration", "5s"]
    assert main([*argv, "--output", str(report), "--profile", "--processes", "2"]) == 0
    out = capsys.readouterr().out
    assert "no loss" in out
    run = json.loads((report / "load.json").read_text())["runs"][0]
    assert run["requests"] > 0 and run["rps"] > 0 and run["failures"] == 0
    rec = run["reconciliation"]
    assert rec["sent"] == rec["answered"] == run["requests"]
    assert rec["nginx_logged"] == rec["answered"] + rec["redirects"]
    assert rec["recorded"] == rec["proxied"] > 0
    assert rec["losses"] == []
    endpoints = {e["name"]: e for e in run["endpoints"]}
    for e in endpoints.values():
        assert e["p50"] <= e["p95"] <= e["p99"] <= e["max"]
    front = endpoints["/"]["attribution"]
    assert front["db_ms"] > 0 and front["app_ms"] > 0 and front["nginx_ms"] is not None
    assert endpoints["/static/demo/site.css"]["attribution"]["app_ms"] is None
    assert run["tiers"]["pgbouncer"]["transactions"] > 0
    assert run["tiers"]["cache"]["hits"] > 0
    assert {v["view"] for v in run["views"]} >= {"demo:front", "demo:story_detail"}
    # Exact timings: Locust's own stats would round these to two significant digits.
    files = list(report.glob("requests-*.jsonl"))
    assert len(files) == 2  # one per Locust worker process, merged by perfkit
    times = [json.loads(x)["ms"] for path in files for x in path.read_text().splitlines()]
    assert len(times) == run["requests"]
    assert any(t != float(f"{t:.2g}") for t in times)
    # The profile: speedscope JSON and a flame graph per app server, the graph in the HTML.
    assert sorted(p["format"] for p in run["profiles"]) == ["flamegraph"] * 2 + ["speedscope"] * 2
    speedscope = next(p for p in run["profiles"] if p["format"] == "speedscope")
    assert "shared" in json.loads(Path(speedscope["path"]).read_text())
    page = (report / "load.html").read_text()
    assert "<polyline" in page and "data:image/svg+xml;base64," in page
    assert "locust" not in sys.modules and "gevent" not in sys.modules


def test_logged_in_editors_write_through_csrf(run_dir: Path, tmp_path: Path) -> None:
    argv = ["load", "mixed", "--run-dir", str(run_dir)]
    assert main([*argv, "--users", "2", "--duration", "4s", "--output", str(tmp_path)]) == 0
    run = json.loads((tmp_path / "load.json").read_text())["runs"][0]
    endpoints = {e["name"]: e for e in run["endpoints"]}
    assert endpoints["/admin/login/ [POST]"]["requests"] == 2
    assert endpoints["/stories/add/ [POST]"]["requests"] > 0
    assert run["failures"] == 0
    # Each login and each new story redirects; nginx saw those requests too.
    assert run["reconciliation"]["redirects"] >= 2 + endpoints["/stories/add/ [POST]"]["requests"]
    assert run["reconciliation"]["losses"] == []
    assert "demo:story_add" in {v["view"] for v in run["views"]}


def test_the_ramp_shape_steps_up_to_the_users_asked_for(run_dir: Path, tmp_path: Path) -> None:
    argv = ["load", "ramp", "--run-dir", str(run_dir)]
    argv += ["--tags", "cached,static", "--output", str(tmp_path)]
    assert main([*argv, "--users", "4", "--duration", "4s"]) == 0
    run = json.loads((tmp_path / "load.json").read_text())["runs"][0]
    assert {e["name"] for e in run["endpoints"]} <= {"/cached/", "/tags/", "/static/demo/site.css"}
    samples = [json.loads(x)["users"] for x in (tmp_path / "users.jsonl").read_text().splitlines()]
    counts = [n for n in samples if n]
    assert max(counts) == 4 and counts[0] < 4
    assert counts == sorted(counts)


def test_a_worker_on_another_host_reports_through_the_master(run_dir: Path, tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PERFKIT_LOAD_DIR"}
    api = ROOT / "scenarios" / "load" / "api.py"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            f"{PLUGIN},{api}",
            "--worker",
            "--master-host",
            "127.0.0.1",
            "--master-port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        argv = ["load", str(api), "--run-dir", str(run_dir), "--users", "3", "--duration", "3s"]
        argv += ["--expect-workers", "1", "--master-bind", f"127.0.0.1:{port}"]
        assert main([*argv, "--output", str(tmp_path)]) == 0
        assert worker.wait(timeout=30) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert [p.name for p in tmp_path.glob("requests-*.jsonl")] == ["requests-remote.jsonl"]
    rec = json.loads((tmp_path / "load.json").read_text())["runs"][0]["reconciliation"]
    assert rec["sent"] == rec["nginx_logged"] == rec["recorded"] > 0


def test_killing_an_app_server_mid_run_fails_over(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = load(run_dir)
    assert state is not None
    victim = state.tier("app")[0]
    killed_at: list[float] = []

    def kill_once(elapsed: float) -> None:
        if elapsed > 2.0 and not killed_at:
            os.killpg(victim.pid, signal.SIGKILL)
            killed_at.append(time.time())

    spec = LocustRun(BROWSE, state.url, users=5, spawn_rate=5, duration_s=6, tags=("pages",))
    console = Console(file=open(os.devnull, "w"))  # noqa: SIM115 - closed with the console
    result = run_load(spec, tmp_path, stack=state, console=console, during=kill_once)
    console.file.close()
    assert killed_at
    errors = result.errors
    assert errors.failovers + errors.failures >= 1
    first = min(t for t in (errors.first_failover, errors.first_failure) if t is not None)
    assert first >= killed_at[0] - 0.5
    after = [p for p in result.timeline if result.started + p["t"] > killed_at[0] + 1]
    assert after and all(p["rps"] > 0 for p in after[:-1] or after)
    assert not processes.alive(victim.pid)
    assert main(["stack", "status", "--run-dir", str(run_dir)]) == 1
    assert "DOWN" in capsys.readouterr().out


def test_down_leaves_nothing(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = load(run_dir)
    assert state is not None
    port = int(state.url.rsplit(":", 1)[1])
    assert main(["stack", "down", "--run-dir", str(run_dir)]) == 0
    assert leftovers(run_dir) == []
    assert len(started_pids(run_dir)) == 6
    assert not (run_dir / STATE_FILE).exists()
    assert not Path(state.private_dir).exists()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
    assert main(["stack", "down", "--run-dir", str(run_dir)]) == 2
    assert "no stack is up" in capsys.readouterr().err
