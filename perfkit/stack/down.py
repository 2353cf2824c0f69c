"""`perfkit stack down`: stop every process the stack started, in reverse order."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from perfkit.stack import processes
from perfkit.stack.state import STATE_FILE, StackState


def down(state: StackState) -> list[int]:
    """Stop every tier, remove the private data dir and the state file; return leftover pids."""
    for tier in reversed(state.tiers):
        processes.stop(tier.pid, tier.stop_signal)
    leftovers = processes.session_members(t.pid for t in state.tiers)
    run_dir = Path(state.run_dir)
    private = Path(state.private_dir)
    if private.is_dir():
        shutil.rmtree(private, ignore_errors=True)
    with contextlib.suppress(FileNotFoundError):
        (run_dir / STATE_FILE).unlink()
    return leftovers
