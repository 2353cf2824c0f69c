"""Start tier processes in their own sessions, find them again, and stop them."""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path

UNPRIVILEGED_USER = "postgres"


def unprivileged_user() -> str | None:
    """The user server processes run as when perfkit runs as root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return None
    for name in (os.environ.get("PERFKIT_STACK_USER", ""), UNPRIVILEGED_USER, "nobody"):
        if name:
            with contextlib.suppress(KeyError):
                pwd.getpwnam(name)
                return name
    return None


def start(
    argv: list[str],
    log: Path,
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    user: str | None = None,
) -> int:
    """Start ``argv`` in a new session with output to ``log``; return its pid."""
    with open(log, "ab") as out:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            user=user,
            group=pwd.getpwnam(user).pw_gid if user else None,
            extra_groups=[] if user else None,
            start_new_session=True,
        )
    return process.pid


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def session_members(sids: Iterable[int]) -> list[int]:
    """Live (non-zombie) pids whose session is one of ``sids``: what a tier left behind."""
    wanted = set(sids)
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[3]) in wanted:
            found.append(int(entry))
    return found


def reap(pid: int) -> None:
    """Collect ``pid`` if it is our child, so it leaves no zombie behind."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def stop(pid: int, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
    """Signal ``pid``; wait for its whole session to go; SIGKILL what is left at the deadline."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reap(pid)
        if not session_members([pid]):
            return
        time.sleep(0.05)
    for member in session_members([pid]):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(member, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while session_members([pid]) and time.monotonic() < deadline:
        reap(pid)
        time.sleep(0.05)
