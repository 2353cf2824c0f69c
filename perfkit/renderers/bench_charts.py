"""Chart geometry for the HTML report: numbers only, so the template escapes every label."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from perfkit.analysis.report import Report, ViewReport
from perfkit.renderers.formatting import largest, ms, number, shorten


@dataclass
class Tick:
    at: float
    label: str


@dataclass
class Dot:
    x: float
    y: float
    label: str


@dataclass
class QueriesChart:
    """Queries of the worst request against data size, for one view, and the fitted line."""

    view: str
    flagged: bool
    formula: str
    width: int
    height: int
    left: int
    top: int
    bottom: int
    right: int
    line: str
    dots: list[Dot]
    fit: tuple[float, float, float, float] | None
    x_ticks: list[Tick]
    y_ticks: list[Tick]


@dataclass
class Bar:
    view: str
    label: str
    flagged: bool
    y: float
    p50: float
    p95: float
    value: str


@dataclass
class TimeChart:
    """p50 wall time per view at its largest size, with a whisker to p95."""

    width: int
    height: int
    left: int
    row: int
    plot: int
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above ``value`` (1 for nothing)."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value * (1 - 1e-9):
            return step * power
    return 10 * power


def queries_chart(view: ViewReport, width: int = 260, height: int = 150) -> QueriesChart | None:
    """The view's queries-vs-size chart, or None without two numeric sizes to compare."""
    points = [(int(s.size), s.queries_max) for s in view.sizes if s.size.isdigit()]
    if len(points) < 2:
        return None
    left, right, top, bottom = 40, 12, 12, 28
    x_max = nice_ceiling(max(n for n, _ in points))
    y_max = nice_ceiling(max(2, *(q for _, q in points)))

    def x(n: float) -> float:
        return round(left + n / x_max * (width - left - right), 1)

    def y(q: float) -> float:
        return round(height - bottom - q / y_max * (height - top - bottom), 1)

    dots = [Dot(x(n), y(q), f"n={n}: {q} queries") for n, q in points]
    fit = None
    if view.fit is not None:
        start, end = points[0][0], points[-1][0]
        fit = (
            x(start),
            y(view.fit.intercept + view.fit.slope * start),
            x(end),
            y(view.fit.intercept + view.fit.slope * end),
        )
    return QueriesChart(
        view=view.view,
        flagged=bool(view.flags),
        formula=view.fit.formula() if view.fit else "",
        width=width,
        height=height,
        left=left,
        top=top,
        bottom=bottom,
        right=right,
        line=" ".join(f"{d.x},{d.y}" for d in dots),
        dots=dots,
        fit=fit,
        x_ticks=[Tick(x(v), number(v)) for v in (0, x_max / 2, x_max)],
        y_ticks=[Tick(y(v), number(v)) for v in (0, y_max / 2, y_max)],
    )


def time_chart(report: Report, width: int = 760) -> TimeChart:
    """Horizontal bars of p50 time per view; the whisker reaches p95."""
    left, row = 260, 22
    plot = width - left - 110
    measured = [(v, s) for v in report.views if (s := largest(v)) is not None]
    top = nice_ceiling(max((s.wall_p95_ms for _, s in measured), default=0))
    chart = TimeChart(width=width, height=row * len(measured) + 30, left=left, row=row, plot=plot)
    for position, (view, stats) in enumerate(measured):
        chart.bars.append(
            Bar(
                view=view.view,
                label=shorten(view.view, 38),
                flagged=bool(view.flags),
                y=position * row,
                p50=round(stats.wall_p50_ms / top * plot, 1),
                p95=round(stats.wall_p95_ms / top * plot, 1),
                value=f"{ms(stats.wall_p50_ms)} ms (n={stats.size})",
            )
        )
    chart.ticks = [Tick(round(v / top * plot, 1), f"{number(v)} ms") for v in (0, top / 2, top)]
    return chart
