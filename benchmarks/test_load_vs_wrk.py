"""How close `perfkit load` (Locust) gets to wrk's throughput on the same trivial endpoint.

Both hit ``/ping/`` (no queries) through the stack's nginx, in the same run, one after the
other: the ratio is the load generator's own ceiling on this machine, not the site's.
Run with ``make benchmarks`` (or ``pytest benchmarks/test_load_vs_wrk.py -s``).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from perfkit.cli import main
from perfkit.stack import binaries
from perfkit.stack.down import down
from perfkit.stack.state import load

CONNECTIONS = 16
SECONDS = 5
SCENARIO = """
from locust import FastHttpUser, task


class Ping(FastHttpUser):
    @task
    def ping(self):
        self.client.get("/ping/", name="/ping/")
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    run_dir = tmp_path_factory.mktemp("stack")
    argv = ["stack", "up", "--run-dir", str(run_dir), "--app-servers", "1", "--size", "10"]
    assert main(argv) == 0
    state = load(run_dir)
    assert state is not None
    try:
        yield state.url
    finally:
        down(state)


def wrk_rps(url: str) -> float:
    done = subprocess.run(
        [binaries.find("wrk"), "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", url],
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    assert match, done.stdout
    return float(match.group(1))


def perfkit_rps(url: str, tmp_path: Path, processes: int) -> float:
    scenario = tmp_path / "ping.py"
    scenario.write_text(SCENARIO)
    output = tmp_path / f"report-{processes}"
    argv = ["load", str(scenario), "--host", url, "--users", str(CONNECTIONS)]
    argv += ["--duration", f"{SECONDS}s", "--processes", str(processes), "--output", str(output)]
    assert main(argv) == 0
    return json.loads((output / "load.json").read_text())["runs"][0]["rps"]


def test_perfkit_load_versus_wrk(stack: str, tmp_path: Path) -> None:
    wrk = wrk_rps(f"{stack}/ping/")
    one = perfkit_rps(stack, tmp_path, processes=1)
    two = perfkit_rps(stack, tmp_path, processes=2)
    print(
        f"\n/ping/ through nginx, {CONNECTIONS} connections, {SECONDS}s each: wrk {wrk:.0f} req/s;"
        f" perfkit load {one:.0f} req/s (ratio {one / wrk:.2f}), with --processes 2 "
        f"{two:.0f} req/s (ratio {two / wrk:.2f})"
    )
    assert wrk > 0 and one > 0 and two > 0
