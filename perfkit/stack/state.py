"""The state file of a running stack: its spec, tiers, addresses and pids."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from perfkit.errors import StackError

STATE_FILE = "stack.json"


@dataclass
class Tier:
    """One started process: its role, address and pid (also its session id)."""

    name: str
    kind: str
    address: str
    pid: int
    log: str
    stop_signal: int = 15


@dataclass
class StackState:
    """Everything ``status``, ``down`` and ``perfkit load`` need to find a running stack."""

    run_dir: str
    url: str
    database_url: str
    store_url: str
    cache_url: str
    pooler_admin_url: str
    private_dir: str
    options: dict[str, Any]
    tiers: list[Tier] = field(default_factory=list)

    def tier(self, kind: str) -> list[Tier]:
        return [t for t in self.tiers if t.kind == kind]

    def save(self) -> None:
        path = Path(self.run_dir) / STATE_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2))
        tmp.replace(path)


def load(run_dir: Path) -> StackState | None:
    """The state in ``run_dir``, or None when no stack was started there."""
    path = run_dir / STATE_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
        tiers = [Tier(**t) for t in data.pop("tiers")]
        return StackState(**data, tiers=tiers)
    except (ValueError, TypeError, KeyError) as exc:
        raise StackError(f"{path} is not a perfkit stack state file: {exc}") from exc


def require(run_dir: Path) -> StackState:
    """The state in ``run_dir``; an error naming `perfkit stack up` when there is none."""
    state = load(run_dir)
    if state is None:
        raise StackError(f"no stack is up in {run_dir}: run 'perfkit stack up' first")
    return state
