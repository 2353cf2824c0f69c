"""The split and its verdict, from loads whose timings are known."""

from __future__ import annotations

from perfkit.latency.measurements import BrowserRun, Resource
from perfkit.latency.split import run_parts, split
from perfkit.server_timing import ServerTimingEntry


def _load(
    ttfb: float, response_end: float, load: float, server: float | None = None, db: float = 0.0
) -> BrowserRun:
    timing = (
        []
        if server is None
        else [
            ServerTimingEntry("db", db, "3 queries"),
            ServerTimingEntry("total", server, ""),
        ]
    )
    script = Resource(
        "http://127.0.0.1:1/static/app.js", "script", 200, 900, 600, 300.0, True, False, {}
    )
    return BrowserRun(
        "cold",
        200,
        1.0,
        2.0,
        ttfb,
        response_end,
        load - 1,
        load,
        load,
        None,
        900,
        [],
        timing,
        [script],
    )


def test_the_parts_add_up_to_the_load_and_the_backend_is_the_servers_own_time() -> None:
    assert run_parts(_load(20.0, 22.0, 400.0, server=15.0)) == (
        15.0,
        7.0,
        378.0,
        "Server-Timing",
    )
    backend, network, frontend, source = run_parts(_load(20.0, 22.0, 400.0))
    assert (backend, network, frontend) == (18.0, 4.0, 378.0)  # first-byte wait from requestStart
    assert source.startswith("first-byte wait")


def test_a_frontend_bound_page_names_its_slowest_blocking_resource() -> None:
    result = split([_load(20.0, 22.0, 400.0, server=15.0) for _ in range(3)])
    assert result.bound == "frontend"
    assert result.verdict == (
        "94% of this page's load is frontend: the server is not the problem; the slowest "
        "render-blocking resource is http://127.0.0.1:1/static/app.js (300 ms)"
    )


def test_a_slow_server_under_a_heavier_frontend_is_still_named() -> None:
    result = split([_load(130.0, 132.0, 400.0, server=120.0, db=80.0)])
    assert result.bound == "frontend"
    assert (
        "67% of this page's load is frontend, 30% is the server (80.0 ms of it in the "
        "database): work on both" in result.verdict
    )


def test_a_backend_bound_page_points_at_the_server() -> None:
    result = split([_load(300.0, 302.0, 350.0, server=290.0, db=250.0)])
    assert result.bound == "backend"
    assert result.verdict.startswith("83% of this page's load is the server (250.0 ms of it in")


def test_no_dominant_part_is_called_mixed() -> None:
    result = split([_load(100.0, 160.0, 250.0, server=90.0)])
    assert result.bound == "mixed"
    assert result.verdict == "no single part dominates: backend 36%, network 28%, frontend 36%"
