"""The load report as one self-contained HTML file: inline CSS and SVG, no script, escaped."""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from perfkit import output
from perfkit.load.result import LoadResult, Profile
from perfkit.renderers.formatting import clock, fixed, ratio
from perfkit.renderers.load_charts import line_chart

#: The template filters of the load report.
FILTERS: dict[str, Callable[..., Any]] = {
    "fixed": fixed,
    "ratio": ratio,
    "clock": partial(clock, with_date=True),
}


def render(results: list[LoadResult]) -> str:
    """The page for one run, or for every variant of a matrix."""
    runs = [
        {
            "result": r,
            "flames": [_data_url(p) for p in r.profiles if p.format == "flamegraph"],
            "rps_chart": line_chart("requests per second", "req/s", r.timeline, [("rps", "a")]),
            "latency_chart": line_chart("latency", "ms", r.timeline, [("p50", "a"), ("p95", "b")]),
        }
        for r in results
    ]
    return output.html("load.html", FILTERS, runs=runs, matrix=len(results) > 1)


def _data_url(profile: Profile) -> dict[str, str]:
    """A py-spy flame graph as an <img> data: URL: shown, yet its own script never runs."""
    data = base64.b64encode(Path(profile.path).read_bytes()).decode("ascii")
    return {"app_server": profile.app_server, "src": f"data:image/svg+xml;base64,{data}"}


def write(results: list[LoadResult], path: Path) -> None:
    output.write_text(path, render(results))
