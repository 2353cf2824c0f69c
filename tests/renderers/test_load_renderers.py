"""The load report's JSON and HTML: NaN as null, everything escaped, charts inline."""

from __future__ import annotations

import json
import math
from pathlib import Path

from perfkit.load import summarise
from perfkit.load.result import CacheStats, PgbouncerStats, Profile, StackInfo, TierReport
from perfkit.load.timings import Request
from perfkit.renderers import load_html
from perfkit.renderers import load_json as json_renderer
from tests.store import make_recording

HOSTILE = '<script>alert("x")</script>'


def _result() -> object:
    requests = [
        Request(100.0 + i / 10, "GET", HOSTILE, 10.0 + i, 200, None, f"id{i}", {"app": 1.0})
        for i in range(30)
    ]
    return summarise.summarise(
        scenario="s.py",
        host="http://127.0.0.1:1",
        label=HOSTILE,
        users=2,
        started=100.0,
        ended=103.0,
        requests=requests,
        lines=[],
        records=None,
        user_samples=[],
    )


def test_html_escapes_names_and_draws_charts() -> None:
    page = load_html.render([_result(), _result()])  # type: ignore[list-item]
    assert "<script" not in page
    assert "&lt;script&gt;" in page
    assert page.count("<svg") == 4 and "<polyline" in page
    assert "Content-Security-Policy" in page


def test_json_writes_nan_as_null(tmp_path: Path) -> None:
    result = _result()
    assert math.isnan(result.endpoints[0].attribution.nginx_ms)  # type: ignore[attr-defined]
    json_renderer.write([result], tmp_path / "load.json")  # type: ignore[list-item]
    data = json.loads((tmp_path / "load.json").read_text())
    assert data["schema"] == json_renderer.SCHEMA
    endpoint = data["runs"][0]["endpoints"][0]
    assert endpoint["attribution"]["nginx_ms"] is None
    assert endpoint["requests"] == 30 and endpoint["max"] == 39.0
    assert data["runs"][0]["reconciliation"]["recorded"] is None


def test_typed_tiers_views_and_profiles_keep_the_json_keys(tmp_path: Path) -> None:
    flame = tmp_path / "profile-app1.flame.svg"
    flame.write_text('<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    requests = [
        Request(100.0 + i / 10, "GET", "/", 10.0 + i, 200, None, f"id{i}", {"app": 1.0})
        for i in range(10)
    ]
    result = summarise.summarise(
        scenario="s.py",
        host="http://127.0.0.1:1",
        label="",
        users=2,
        started=100.0,
        ended=101.0,
        requests=requests,
        lines=[],
        records=[make_recording(i) for i in range(3)],
        user_samples=[{"t": 100.0, "users": 2.0}],
        tiers=TierReport(
            pgbouncer=PgbouncerStats(10, 30, 2.0, 0.2, 1.5, 3, 0.75),
            cache=CacheStats(kind="memcached", hits=4, misses=0, hit_ratio=1.0),
        ),
        stack=StackInfo(url="http://127.0.0.1:8000", options={"cache": "memcached", "size": 5}),
        profiles=[
            Profile(app_server="app1", format="flamegraph", path=str(flame)),
            Profile(app_server="app1", format="speedscope", path=str(tmp_path / "p.json")),
        ],
    )
    json_renderer.write([result], tmp_path / "load.json")
    run = json.loads((tmp_path / "load.json").read_text())["runs"][0]
    assert set(run["tiers"]["pgbouncer"]) == {
        "transactions",
        "queries",
        "wait_ms_total",
        "wait_ms_per_transaction",
        "transaction_ms_mean",
        "max_clients_waiting",
        "max_wait_ms",
    }
    assert run["tiers"]["pgbouncer"]["max_clients_waiting"] == 3
    assert run["tiers"]["cache"] == {"kind": "memcached", "hits": 4, "misses": 0, "hit_ratio": 1.0}
    assert set(run["views"][0]) == {
        "view",
        "requests",
        "queries_per_request",
        "db_ms",
        "wall_ms",
        "cache_hits",
        "cache_misses",
        "http_calls_per_request",
        "http_ms",
    }
    assert sum(v["requests"] for v in run["views"]) == 3
    assert run["stack"] == {"url": "http://127.0.0.1:8000", "cache": "memcached", "size": 5}
    assert run["profiles"][0] == {"app_server": "app1", "format": "flamegraph", "path": str(flame)}
    assert set(run["timeline"][0]) == {"t", "rps", "p50", "p95", "failures", "users"}
    page = load_html.render([result])
    assert "pgbouncer: 10 transactions" in page and "memcached: 4 hits" in page
    assert "Per view, from the store" in page and "data:image/svg+xml;base64," in page
    # Without the stack no tier was measured: "tiers" and "stack" are empty objects.
    bare = _result().to_dict()  # type: ignore[attr-defined]
    assert bare["tiers"] == {} and bare["stack"] == {} and bare["profiles"] == []
