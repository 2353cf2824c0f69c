"""The load report in the terminal: endpoints, tier attribution, reconciliation, matrix."""

from __future__ import annotations

import math

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from perfkit.load.result import LoadResult
from perfkit.renderers.formatting import clock, fixed, ratio


def render(result: LoadResult, console: Console) -> None:
    """Print one run's report."""
    o = result.open_model
    load = (
        f"{result.users} users"
        if o is None
        else f"open model {o.target_rate:g}/s, up to {o.max_users} users"
    )
    latency = Table(
        title=escape(
            f"perfkit load: {result.label or result.scenario} → {result.host} "
            f"({load}, {fixed(result.duration_s)}s)"
        ),
        title_justify="left",
    )
    for column in ("endpoint", "req", "req/s", "fail", "p50", "p95", "p99", "max"):
        latency.add_column(column, justify="left" if column == "endpoint" else "right")
    tiers = Table(title="where the time went (mean ms per request)", title_justify="left")
    for column in ("endpoint", "client", "nginx", "connect", "app", "db", "cache", "http"):
        tiers.add_column(column, justify="left" if column == "endpoint" else "right")
    for e in result.endpoints:
        a = e.attribution
        name = escape(f"{e.method} {e.name}")
        latency.add_row(
            name,
            str(e.requests),
            fixed(e.rps),
            str(e.failures),
            *(fixed(v) for v in (e.p50, e.p95, e.p99, e.max)),
        )
        tiers.add_row(
            name,
            *(
                fixed(v)
                for v in (
                    a.client_ms,
                    a.nginx_ms,
                    a.upstream_connect_ms,
                    a.app_ms,
                    a.db_ms,
                    a.cache_ms,
                    a.http_ms,
                )
            ),
        )
    latency.add_section()
    latency.add_row(
        "all",
        str(result.requests),
        fixed(result.rps),
        str(result.failures),
        fixed(result.p50),
        fixed(result.p95),
        fixed(result.p99),
        "",
    )
    console.print(latency)
    console.print("latency in ms from every request's exact time, as Locust measured it")
    if o is not None:
        intended = _spread(o.intended_p50, o.intended_p95, o.intended_p99, o.intended_max)
        sent = _spread(o.sent_p50, o.sent_p95, o.sent_p99, o.sent_max)
        console.print(
            f"open model: target {fixed(o.target_rate)}/s, achieved {fixed(o.achieved_rate)}/s; "
            f"{o.scheduled} arrivals due, {o.sent} sent, dropped / late: {o.dropped} dropped "
            f"(no free user of {o.max_users}), {o.late} late (> {o.late_after_ms:g} ms after "
            f"their slot)\nlatency from the intended start: {intended} ms; from the send: {sent} ms"
        )
    console.print(tiers)
    console.print(
        "client = Locust − nginx (network, load generator), nginx = request − upstream, "
        "connect = nginx → app server, app/db/cache/http = the recorder's Server-Timing"
    )
    p = result.tiers.pgbouncer
    if p is not None:
        console.print(
            f"pgbouncer: {p.transactions} transactions, wait {fixed(p.wait_ms_per_transaction)}"
            f" ms per transaction ({fixed(p.wait_ms_total)} ms in all), up to "
            f"{p.max_clients_waiting} clients waiting, longest wait {fixed(p.max_wait_ms)} ms"
        )
    c = result.tiers.cache
    if c is not None:
        hit_ratio = ratio(c.hit_ratio, 1, missing="-")
        console.print(f"{c.kind}: {c.hits} hits, {c.misses} misses, hit ratio {hit_ratio}")
    r = result.reconciliation
    text = f"reconciliation: Locust sent {r.sent}, answered {r.answered}"
    if r.redirects:
        text += f" (+{r.redirects} redirects followed)"
    if r.nginx_logged is not None:
        text += f"; nginx logged {r.nginx_logged} ({r.proxied} to app servers)"
    if r.recorded is not None:
        text += f"; store recorded {r.recorded}"
    console.print(text + ": " + ("no loss" if not r.losses else "LOSS: " + "; ".join(r.losses)))
    errors = result.errors
    if errors.failures or errors.failovers:
        console.print(
            f"errors: {errors.failures} failures "
            f"({clock(errors.first_failure)}–{clock(errors.last_failure)}),"
            f" {errors.failovers} nginx failovers ({clock(errors.first_failover)}–"
            f"{clock(errors.last_failover)})"
        )
        for text, count in errors.by_error.items():
            console.print(f"  {count}× {escape(text)}")
    for item in result.profiles:
        console.print(escape(f"profile ({item.app_server}, {item.format}): {item.path}"))


def render_matrix(results: list[LoadResult], console: Console) -> None:
    """The variants side by side."""
    table = Table(title="perfkit load --matrix", title_justify="left")
    for column in ("variant", "req/s", "p50 ms", "p95 ms", "p99 ms", "fail", "db ms", "loss"):
        table.add_column(column, justify="left" if column == "variant" else "right")
    for result in results:
        timed = [e for e in result.endpoints if not math.isnan(e.attribution.db_ms)]
        weight = sum(e.requests for e in timed)
        db = sum(e.attribution.db_ms * e.requests for e in timed) / weight if weight else math.nan
        table.add_row(
            escape(result.label),
            fixed(result.rps),
            fixed(result.p50),
            fixed(result.p95),
            fixed(result.p99),
            str(result.failures),
            fixed(db),
            str(len(result.reconciliation.losses)),
        )
    console.print(table)


def _spread(p50: float, p95: float, p99: float, most: float) -> str:
    return f"p50 {fixed(p50)}, p95 {fixed(p95)}, p99 {fixed(p99)}, max {fixed(most)}"
