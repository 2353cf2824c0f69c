"""The load report's JSON and HTML: NaN as null, everything escaped, charts inline."""

from __future__ import annotations

import json
import math
from pathlib import Path

from perfkit.load import analyse
from perfkit.load.renderers import html
from perfkit.load.renderers import json as json_renderer
from perfkit.load.timings import Request

HOSTILE = '<script>alert("x")</script>'


def _result() -> object:
    requests = [
        Request(100.0 + i / 10, "GET", HOSTILE, 10.0 + i, 200, None, f"id{i}", {"app": 1.0})
        for i in range(30)
    ]
    return analyse.summarise(
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
    page = html.render([_result(), _result()])  # type: ignore[list-item]
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
