"""The terminal report: a per-view table, N+1 groups and views whose query count grows."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from perfkit.analysis.views import Scaling, ViewStats


def render(stats: list[ViewStats], fits: dict[str, Scaling], console: Console) -> None:
    """Print the report for one bench run."""
    table = Table(title="perfkit bench: per view and data size", title_justify="left")
    table.add_column("view", no_wrap=True)
    for column in ("n", "req", "p50 ms", "p95 ms", "queries", "db ms", "cache hit/miss", "N+1"):
        table.add_column(column, justify="right")
    for s in stats:
        linear = s.view in fits and fits[s.view].is_linear
        table.add_row(
            s.view,
            s.size,
            str(s.requests),
            f"{s.wall_p50_ms:.2f}",
            f"{s.wall_p95_ms:.2f}",
            f"{s.queries_mean:g}",
            f"{s.db_ms_mean:.2f}",
            f"{s.cache_hits}/{s.cache_misses}",
            str(len(s.n_plus_one)) if s.n_plus_one else "-",
            style="bold red" if linear else None,
        )
    console.print(table)
    _render_n_plus_one(stats, console)
    linear = [fit for fit in fits.values() if fit.is_linear]
    if not linear:
        console.print("[green]Every view runs a constant number of queries across data sizes.")
    for fit in sorted(linear, key=lambda f: -f.slope):
        console.print(f"[bold red]O(n) queries[/]: {fit.view}: {fit.formula()}")


def _render_n_plus_one(stats: list[ViewStats], console: Console) -> None:
    largest: dict[str, ViewStats] = {}
    for s in stats:
        if s.n_plus_one:
            largest[s.view] = s
    for view, s in largest.items():
        console.print(f"[bold]N+1 groups in {view}[/] at n={s.size}:")
        for group in s.n_plus_one:
            console.print(f"  {group.count}× {group.sql}", markup=False, highlight=False)
            console.print(f"     at {group.callsite}", markup=False, highlight=False)
