"""The tier table `stack up` and `stack status` print."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from perfkit.stack import processes
from perfkit.stack.state import StackState


def print_tiers(console: Console, state: StackState, title: str) -> bool:
    """Print tiers, addresses, pids and liveness; True when every tier is running."""
    table = Table(title=title, title_justify="left")
    for column in ("tier", "kind", "address", "pid", "state"):
        table.add_column(column, justify="right" if column == "pid" else "left")
    all_up = True
    for tier in state.tiers:
        up = processes.alive(tier.pid)
        all_up = all_up and up
        table.add_row(tier.name, tier.kind, tier.address, str(tier.pid), "up" if up else "DOWN")
    console.print(table)
    console.print(f"site: {state.url}   database: {state.database_url}")
    console.print(f"store: {state.store_url}   cache: {state.cache_url}")
    return all_up
