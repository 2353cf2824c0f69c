"""Helpers for stack tests: what a run directory's stack started, and what is left of it."""

from __future__ import annotations

from pathlib import Path

from perfkit.stack import processes
from perfkit.stack.tiers import STARTED_LOG


def started_pids(run_dir: Path) -> dict[str, int]:
    """Every process `stack up` started in ``run_dir``, by tier name."""
    path = run_dir / "logs" / STARTED_LOG
    if not path.is_file():
        return {}
    pairs = (line.split() for line in path.read_text().splitlines() if line.strip())
    return {name: int(pid) for name, pid in pairs}


def leftovers(run_dir: Path) -> list[int]:
    """Live processes in the sessions of everything the stack started: must be none."""
    return processes.session_members(started_pids(run_dir).values())
