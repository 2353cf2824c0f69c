"""The open model (``--rate``) against a real loopback server: arrivals keep the asked rate
while the server is slow, latency counts from the intended start, a stall shows as dropped
arrivals where the closed model reports nothing, and ``--processes 2`` splits the slots."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.servers import run_perfkit, serving

ROOT = Path(__file__).parents[2]
SCENARIO = """
from locust import HttpUser, constant, task


class Visitor(HttpUser):
    wait_time = constant(0.05)

    @task(3)
    def first(self):
        self.client.get("{path}", name="first")

    @task(1)
    def second(self):
        self.client.get("{path}", name="second")
"""


@contextmanager
def delay_server(*args: str) -> Iterator[str]:
    argv = [sys.executable, "-m", "tests.load.delay_server", "--port", "{port}", *args]
    with serving(argv, {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}) as url:
        yield url


def load(tmp_path: Path, name: str, path: str, host: str, *args: str) -> dict[str, Any]:
    scenario = tmp_path / f"{name}.py"
    scenario.write_text(SCENARIO.format(path=path))
    out = tmp_path / name
    done = run_perfkit(
        "load", str(scenario), "--host", host, "--output", str(out), *args, cwd=tmp_path
    )
    assert done.returncode in (0, 1), done.stderr
    run: dict[str, Any] = json.loads((out / "load.json").read_text())["runs"][0]
    run["lines"] = [
        json.loads(x)
        for f in sorted(out.glob("requests-*.jsonl"))
        for x in f.read_text().split("\n")
        if x
    ]
    run["files"] = {f.name: f.read_text() for f in out.glob("requests-*.jsonl")}
    run["stdout"] = done.stdout
    return run


def test_arrivals_keep_the_rate_while_each_answer_takes_longer_than_the_interval(
    tmp_path: Path,
) -> None:
    # 20/s is one arrival every 50 ms; each answer takes 200 ms.
    with delay_server() as url:
        run = load(tmp_path, "slow", "/sleep/200/", url, "--rate", "20/s", "--duration", "3s")
    model = run["open_model"]
    assert run["mode"] == "rate"
    assert model["target_rate"] == 20 and model["scheduled"] == 60
    # One user waiting for each answer could make at most 15 requests in 3 s.
    assert 54 <= model["sent"] <= 60 and model["dropped"] == 0
    assert model["achieved_rate"] == pytest.approx(model["sent"] / 3)
    slots = [line["slot"] for line in run["lines"]]
    assert len(slots) == len(set(slots)) == run["requests"] and max(slots) < 60
    assert all(line["lag_ms"] >= 0 for line in run["lines"])
    assert {line["name"] for line in run["lines"]} == {"first", "second"}
    for q in ("p50", "p95", "p99", "max"):
        assert model[f"intended_{q}"] >= model[f"sent_{q}"] >= 200
    assert "open model: target 20.0/s" in run["stdout"]


def test_a_stall_shows_as_dropped_arrivals_where_the_closed_model_reports_none(
    tmp_path: Path,
) -> None:
    # Every request arriving from 1 s to 3 s into the run is held until 3 s.
    stall = ("--stall-at", "1", "--stall-for", "2")
    with delay_server(*stall) as url:
        open_run = load(
            tmp_path, "open", "/stall/", url, "--rate", "20", "--users", "5", "--duration", "4s"
        )
    with delay_server(*stall) as url:
        closed = load(tmp_path, "closed", "/stall/", url, "--users", "5", "--duration", "4s")
    model = open_run["open_model"]
    # Five users are all held by 1.25 s: the arrivals due until 3 s find none free.
    assert model["dropped"] >= 10
    assert model["sent"] + model["dropped"] <= model["scheduled"] == 80
    assert model["intended_max"] >= model["sent_max"] >= 1000
    assert "dropped / late" in open_run["stdout"]
    # The closed model waited through the stall: no arrival was ever due, none dropped.
    assert closed["mode"] == "users" and closed["open_model"] is None
    assert all("slot" not in line for line in closed["lines"])
    assert "dropped / late" not in closed["stdout"]


def test_two_processes_take_interleaved_halves_of_the_rate(tmp_path: Path) -> None:
    with delay_server() as url:
        run = load(
            tmp_path,
            "split",
            "/ping/",
            url,
            "--rate",
            "1200/m",
            "--duration",
            "3s",
            "--processes",
            "2",
        )
    assert run["open_model"]["target_rate"] == 20
    per_file = [
        [json.loads(x)["slot"] for x in text.split("\n") if x] for text in run["files"].values()
    ]
    assert len(per_file) == 2
    # Worker k owns the slots k, k+2, k+4…: the files hold one parity each, about half each.
    assert sorted({s % 2 for s in slots} == {s % 2 for s in slots[:1]} for slots in per_file) == [
        True,
        True,
    ]
    assert {slots[0] % 2 for slots in per_file} == {0, 1}
    assert all(27 <= len(slots) <= 30 for slots in per_file)
    assert run["open_model"]["sent"] == sum(len(slots) for slots in per_file)
