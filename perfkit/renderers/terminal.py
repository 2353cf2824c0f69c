"""The terminal report: a per-view table and the views whose query count grows with data."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from perfkit.analysis.views import Scaling, ViewStats


def render(stats: list[ViewStats], fits: dict[str, Scaling], console: Console) -> None:
    table = Table(title="perfkit bench: per view and data size", title_justify="left")
    for column, justify in (
        ("view", "left"),
        ("n", "right"),
        ("req", "right"),
        ("p50 ms", "right"),
        ("p95 ms", "right"),
        ("queries", "right"),
        ("db ms", "right"),
        ("cache hit/miss", "right"),
        ("N+1 groups", "left"),
    ):
        table.add_column(column, justify=justify)
    for s in stats:
        groups = "; ".join(f"{g.count}× {g.callsite}" for g in s.n_plus_one) or "-"
        table.add_row(
            s.view,
            s.size,
            str(s.requests),
            f"{s.wall_p50_ms:.2f}",
            f"{s.wall_p95_ms:.2f}",
            f"{s.queries_mean:g}",
            f"{s.db_ms_mean:.2f}",
            f"{s.cache_hits}/{s.cache_misses}",
            groups,
            style="bold red" if s.view in fits and fits[s.view].is_linear else None,
        )
    console.print(table)
    linear = [fit for fit in fits.values() if fit.is_linear]
    if not linear:
        console.print("[green]Every view runs a constant number of queries across data sizes.")
    for fit in sorted(linear, key=lambda f: -f.slope):
        console.print(f"[bold red]O(n) queries[/]: {fit.view}: {fit.formula()}")
