"""Geometry of the load report's SVG line charts: numbers only, the template escapes labels."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from perfkit.load.result import TimelinePoint
from perfkit.renderers.bench_charts import nice_ceiling

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 200, 48, 12, 12, 28

#: The timeline's measurements a chart can draw a line of.
Measure = Literal["rps", "p50", "p95", "failures", "users"]


@dataclass
class Series:
    name: str
    css: str
    points: str


@dataclass
class LineChart:
    """Lines over seconds since the start, with y ticks and x ticks."""

    title: str
    unit: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    right: int = WIDTH - RIGHT
    series: list[Series] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)


def line_chart(
    title: str, unit: str, timeline: list[TimelinePoint], keys: list[tuple[Measure, str]]
) -> LineChart:
    """One line per ``(key, css class)`` of the timeline's points."""
    chart = LineChart(title=title, unit=unit)
    values = [p[k] for p in timeline for k, _ in keys if not math.isnan(p[k])]
    top = nice_ceiling(max(values, default=0.0))
    last = max((p["t"] for p in timeline), default=0.0) or 1.0
    span_x, span_y = chart.right - chart.left, chart.bottom - chart.top

    def x(t: float) -> float:
        return chart.left + span_x * t / last

    def y(v: float) -> float:
        return chart.bottom - span_y * v / top

    for key, css in keys:
        points = " ".join(
            f"{x(p['t']):.1f},{y(p[key]):.1f}" for p in timeline if not math.isnan(p[key])
        )
        chart.series.append(Series(name=key, css=css, points=points))
    chart.y_ticks = [(y(top * i / 4), f"{top * i / 4:g}") for i in range(5)]
    step = max(1, math.ceil(last / 6))
    chart.x_ticks = [(x(t), f"{t}s") for t in range(0, int(last) + 1, step)]
    return chart
