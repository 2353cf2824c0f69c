"""Joining exact timings, nginx's log and the store: attribution, reconciliation, windows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perfkit import server_timing
from perfkit.commands.load import parse_duration
from perfkit.errors import LoadError, UsageError
from perfkit.load import matrix, summarise
from perfkit.load.timings import Request
from perfkit.stack.options import StackOptions
from perfkit.stack.stats import window as recorded
from perfkit.stack.stats.nginx import parse_line
from perfkit.store import open_store
from tests.store import make_recording


def _line(rid: str, uri: str = "/", addr: str = "127.0.0.1:8001", **values: object) -> str:
    data = {
        "msec": 100.5,
        "id": rid,
        "method": "GET",
        "uri": uri,
        "status": 200,
        "bytes": 10,
        "request_time": 0.012,
        "upstream_connect_time": "0.001",
        "upstream_header_time": "0.009",
        "upstream_response_time": "0.010",
        "upstream_addr": addr,
        "upstream_status": "200",
    }
    data.update(values)
    return json.dumps(data)


def _request(rid: str, ms: float = 15.0, name: str = "/", **values: object) -> Request:
    fields = {
        "t": 100.0,
        "method": "GET",
        "name": name,
        "ms": ms,
        "status": 200,
        "error": None,
        "request_id": rid,
        "timing": {"app": 6.0, "db": 3.0, "cache": 1.0},
    }
    fields.update(values)
    return Request(**fields)  # type: ignore[arg-type]


def test_nginx_lines_sum_the_times_of_every_upstream_tried() -> None:
    line = parse_line(
        _line(
            "a",
            addr="127.0.0.1:1, 127.0.0.1:2",
            upstream_response_time="0.000, 0.010",
            upstream_status="502, 200",
        )
    )
    assert line is not None and line.failed_over
    assert line.upstream_ms == pytest.approx(10.0)
    static = parse_line(_line("b", uri="/static/x.css", addr="", upstream_response_time=""))
    assert static is not None and not static.proxied and static.upstream_ms is None
    assert parse_line("not json") is None


def test_attribution_splits_client_nginx_and_app_time() -> None:
    lines = {"a": parse_line(_line("a"))}
    [endpoint] = summarise.endpoints([_request("a")], lines, duration_s=1.0)  # type: ignore[arg-type]
    a = endpoint.attribution
    assert a.client_ms == pytest.approx(3.0)  # 15 ms at Locust, 12 ms at nginx
    assert a.nginx_ms == pytest.approx(2.0)  # 12 ms request, 10 ms upstream
    assert (a.app_ms, a.db_ms, a.cache_ms, a.http_ms) == (6.0, 3.0, 1.0, 0.0)


def test_outbound_http_time_is_a_tier_of_its_own() -> None:
    """A request with outbound calls carries ``http`` in Server-Timing; one without, none."""
    header = (
        'db;dur=3.00;desc="2 queries", cache;dur=1.00;desc="0 hits, 0 misses", '
        'http;dur=40.00;desc="6 calls", app;dur=6.00, total;dur=50.00'
    )
    calling = _request("a", timing=server_timing.durations(server_timing.parse(header)))
    quiet = _request("b", name="/")
    lines = {"a": parse_line(_line("a")), "b": parse_line(_line("b"))}
    [endpoint] = summarise.endpoints([calling, quiet], lines, duration_s=1.0)  # type: ignore[arg-type]
    a = endpoint.attribution
    assert a.http_ms == pytest.approx(20.0)  # 40 ms and 0 ms
    assert (a.app_ms, a.db_ms) == (6.0, 3.0)


def test_reconciliation_reports_each_loss() -> None:
    requests = [_request("a"), _request("b", redirects=1), _request("", error="refused")]
    lines = [parse_line(_line(x)) for x in ("a", "b", "b2")]
    held = summarise.reconcile(requests, lines, recorded=3)  # type: ignore[arg-type]
    assert (held.sent, held.answered, held.redirects, held.proxied) == (3, 2, 1, 3)
    assert held.losses == ["1 requests sent got no answer"]
    lost = summarise.reconcile(requests[:2], lines, recorded=1)  # type: ignore[arg-type]
    assert lost.losses == ["3 requests reached an app server, the store holds 1"]


def test_error_window_spans_failures_and_failovers() -> None:
    requests = [_request("a", t=10.0, error="boom"), _request("b", t=12.0, error="boom")]
    lines = [parse_line(_line("c", msec=11.0, upstream_addr="x:1, x:2"))]
    window = summarise.error_window(requests, lines)  # type: ignore[arg-type]
    assert (window.failures, window.first_failure, window.last_failure) == (2, 10.0, 12.0)
    assert (window.failovers, window.first_failover) == (1, 11.0)
    assert window.by_error == {"boom": 2}


def test_matrix_axes_make_every_combination() -> None:
    axes = matrix.parse(["cache=memcached,none", "app-servers=1,2"])
    found = matrix.variants(StackOptions(port=8080), axes)
    assert [label for label, _ in found] == [
        "cache=memcached app-servers=1",
        "cache=memcached app-servers=2",
        "cache=none app-servers=1",
        "cache=none app-servers=2",
    ]
    assert found[3][1].app_servers == 2 and found[3][1].cache == "none"
    assert all(options.port == 0 for _, options in found)  # variants never fight for a port
    for bad in (["cache"], ["workers=0"], ["cache=none", "cache=redis"]):
        with pytest.raises(LoadError):
            matrix.parse(bad)


def test_durations() -> None:
    assert parse_duration("30s") == 30 and parse_duration("2m") == 120
    assert parse_duration("90") == 90 and parse_duration("1.5m") == 90
    with pytest.raises(UsageError):
        parse_duration("0s")


def test_views_come_from_the_window_the_store_gives_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'perf.sqlite3'}"
    recordings = [make_recording(i) for i in range(10)]
    open_store(url).write([r.to_dict() for r in recordings])
    window = recorded.settled(url, recordings[0].started_at, recordings[4].started_at, expected=5)
    assert window == recordings[:5]
    loads = {v.view: v for v in summarise.views(window)}
    assert {view: load.requests for view, load in loads.items()} == {
        r.view: 1 for r in recordings[:5]
    }
    assert loads[recordings[1].view].wall_ms == recordings[1].wall_ms
    assert loads[recordings[1].view].queries_per_request == 1.0
