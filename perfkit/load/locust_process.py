"""Start Locust headless in a subprocess (it monkey-patches gevent: never import it here)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PLUGIN = Path(__file__).with_name("locust_plugin.py")
# How long a master waits for the workers of other hosts to connect.
WORKER_WAIT_S = 60.0
# Under --rate: Locust runs this much past --duration, for the arrivals' half-second lead
# (locust_open.LEAD_S) and for the last arrivals to be answered.
OPEN_DRAIN_S = 2.5


@dataclass(frozen=True)
class LocustRun:
    """What to run: a scenario file against ``host`` with these users for this long.

    ``rate`` > 0 is the open model: that many arrivals per second, ``users`` their bound.
    """

    scenario: Path
    host: str
    users: int
    spawn_rate: float
    duration_s: float
    processes: int = 1
    tags: tuple[str, ...] = ()
    extra_args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    expect_workers: int = 0
    master_bind: tuple[str, int] = ("127.0.0.1", 5557)
    rate: float = 0.0


def command(run: LocustRun, out_dir: Path) -> list[str]:
    """The ``locust`` command line: the plugin first, then the scenario.

    Under ``--rate`` Locust starts no users itself: the plugin's arrivals make them.
    """
    users, spawn_rate, run_time = run.users, run.spawn_rate, run.duration_s
    if run.rate:
        users, spawn_rate, run_time = 0, 1.0, run.duration_s + OPEN_DRAIN_S
    argv = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        f"{PLUGIN},{run.scenario}",
        "--headless",
        "--host",
        run.host,
        "--users",
        str(users),
        "--spawn-rate",
        f"{spawn_rate:g}",
        "--run-time",
        f"{max(1, round(run_time))}s",
        "--stop-timeout",
        "2",
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--logfile",
        str(out_dir / "locust.log"),
        "--exit-code-on-error",
        "0",
    ]
    if run.processes > 1:
        argv += ["--processes", str(run.processes)]
    if run.expect_workers:
        host, port = run.master_bind
        argv += ["--master", "--expect-workers", str(run.expect_workers)]
        argv += ["--expect-workers-max-wait", f"{WORKER_WAIT_S:g}"]
        argv += ["--master-bind-host", host, "--master-bind-port", str(port)]
    if run.tags:
        argv += ["--tags", *run.tags]
    return argv + list(run.extra_args)


def start(run: LocustRun, out_dir: Path) -> subprocess.Popen[bytes]:
    """Start Locust writing its exact timings into ``out_dir``."""
    env = {
        **os.environ,
        "PERFKIT_LOAD_DIR": str(out_dir),
        # For LoadTestShape classes, which Locust's --users and --run-time do not reach.
        "PERFKIT_LOAD_USERS": str(run.users),
        "PERFKIT_LOAD_DURATION": f"{run.duration_s:g}",
        "PERFKIT_LOAD_RATE": f"{run.rate:g}" if run.rate else "",
        "PERFKIT_LOAD_MAX_USERS": str(run.users),
        **dict(run.env),
    }
    with open(out_dir / "locust.out", "ab") as out:
        return subprocess.Popen(
            command(run, out_dir),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
