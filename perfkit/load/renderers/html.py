"""The load report as one self-contained HTML file: inline CSS and SVG, no script, escaped."""

from __future__ import annotations

import base64
import math
import time
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from perfkit.load.model import LoadResult
from perfkit.load.renderers.charts import line_chart

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _ms(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.1f}"


def _clock(epoch: float | None) -> str:
    return "-" if epoch is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(epoch))


_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters.update(ms=_ms, clock=_clock)


def render(results: list[LoadResult]) -> str:
    """The page for one run, or for every variant of a matrix."""
    runs = [
        {
            "result": r,
            "flames": [_data_url(p) for p in r.profiles if p["format"] == "flamegraph"],
            "rps_chart": line_chart("requests per second", "req/s", r.timeline, [("rps", "a")]),
            "latency_chart": line_chart("latency", "ms", r.timeline, [("p50", "a"), ("p95", "b")]),
        }
        for r in results
    ]
    return _ENV.get_template("load.html").render(runs=runs, csp=CSP, matrix=len(results) > 1)


def _data_url(profile: dict[str, str]) -> dict[str, str]:
    """A py-spy flame graph as an <img> data: URL: shown, yet its own script never runs."""
    data = base64.b64encode(Path(profile["path"]).read_bytes()).decode("ascii")
    return {"app_server": profile["app_server"], "src": f"data:image/svg+xml;base64,{data}"}


def write(path: Path, results: list[LoadResult]) -> None:
    path.write_text(render(results), encoding="utf-8")
