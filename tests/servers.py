"""Start real demo servers (gunicorn, uvicorn) in subprocesses for tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import free_port


def run_perfkit(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m perfkit ARGS`` in ``cwd``, as a user runs it, with a wide terminal."""
    return subprocess.run(
        [sys.executable, "-m", "perfkit", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        # A bound, not a measurement: a gate in paired rounds on a loaded 2-core machine
        # has taken over 300 s.
        timeout=1200,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", **(env or {})},
    )


def gunicorn(app: str = "perfkit.demo.wsgi:application", workers: int = 2) -> list[str]:
    """argv for gunicorn serving ``app`` on the free port ``serving`` picks."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--bind",
        "127.0.0.1:{port}",
        app,
    ]


def demo_env(tmp_path: Path, store: str, size: int = 10) -> dict[str, str]:
    """Environment for a demo server process with a migrated, seeded database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "perfkit.demo.settings",
        "PERFKIT_DEMO_DB": str(tmp_path / "demo.sqlite3"),
        "PERFKIT_DEMO_DEBUG": "0",
        "PERFKIT_STORE": store,
    }
    for command in (["migrate", "-v", "0"], ["demo_seed", str(size)]):
        subprocess.run(
            [sys.executable, "-m", "perfkit.demo", *command],
            env=env,
            check=True,
            capture_output=True,
        )
    return env


@contextmanager
def serving(argv: list[str], env: dict[str, str]) -> Iterator[str]:
    """Run a server bound to a free loopback port ({port} in argv); yield its base URL.

    The server gets SIGTERM on the way out, so workers exit the way they do in production.
    """
    port = free_port()
    process = subprocess.Popen(
        [a.format(port=port) for a in argv],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise AssertionError(f"server exited: {process.stderr.read().decode()[-2000:]}")
            # Retried only while nothing listens: a probe the server has accepted is waited
            # for, so a busy machine never gets a second probe recorded beside the first.
            try:
                httpx.get(f"{base}/ping/", timeout=httpx.Timeout(60, connect=1))
                break
            except httpx.ConnectError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"{base} never answered") from None
                time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
