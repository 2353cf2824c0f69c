"""Health checks for each tier: wait until it answers, or report why it does not."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from perfkit.errors import StackError
from perfkit.stack import processes

START_TIMEOUT_S = 30.0


def wait_for(name: str, pid: int, log: Path, check: Callable[[], bool]) -> None:
    """Poll ``check`` until it passes; fail if the process dies or the deadline passes."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if not processes.alive(pid):
            raise StackError(f"{name} exited at start: {last_line(log)}")
        try:
            if check():
                return
        except Exception:
            pass
        if time.monotonic() > deadline:
            raise StackError(
                f"{name} did not answer within {START_TIMEOUT_S:.0f}s: {last_line(log)}"
            )
        time.sleep(0.1)


def last_line(log: Path) -> str:
    """The last non-empty line of a tier's log, for one-line error messages."""
    try:
        lines = [line.strip() for line in log.read_text(errors="replace").splitlines()]
    except OSError:
        return "(no log)"
    lines = [line for line in lines if line]
    return lines[-1][:300] if lines else "(empty log)"


def tcp_command(port: int, command: bytes, expect: bytes) -> bool:
    """Send ``command`` to 127.0.0.1:``port``; True when the reply contains ``expect``."""
    with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
        sock.sendall(command)
        return expect in sock.recv(4096)


def http_ok(url: str) -> bool:
    """True when ``url`` answers with a status below 500."""
    return httpx.get(url, timeout=2).status_code < 500


def postgres_ok(conninfo: str) -> bool:
    """True when ``SELECT 1`` runs over ``conninfo``."""
    import psycopg

    with psycopg.connect(conninfo, connect_timeout=2, autocommit=True) as conn:
        return conn.execute("SELECT 1").fetchone() == (1,)
