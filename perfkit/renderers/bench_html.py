"""The report as one self-contained HTML file: inline CSS and SVG charts, no script, no requests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from perfkit import output
from perfkit.analysis.report import Report
from perfkit.renderers import bench_charts
from perfkit.renderers.formatting import (
    COLD_ONLY,
    FLAG_LABELS,
    REPEATED_LISTED,
    file_href,
    flag_labels,
    ms,
    number,
    ratio,
    requested_as,
    severity,
    shorten,
)

#: The template filters of the bench report.
FILTERS: dict[str, Callable[..., Any]] = {
    "ms": ms,
    "number": number,
    "ratio": ratio,
    "shorten": shorten,
    "href": file_href,
    "requested_as": requested_as,
    "flag_label": lambda flag: FLAG_LABELS.get(flag, flag),
}


def render(report: Report) -> str:
    """The report page as a string."""
    chart_views = sorted(report.views, key=severity)
    queries = [c for v in chart_views if (c := bench_charts.queries_chart(v)) is not None]
    return output.html(
        "bench.html",
        FILTERS,
        report=report,
        flagged=sorted(report.flagged(), key=severity),
        flag_labels=flag_labels,
        queries_charts=queries,
        time_chart=bench_charts.time_chart(report),
        cold_only=COLD_ONLY,
        repeated_listed=REPEATED_LISTED,
    )


def write(report: Report, path: Path) -> None:
    """Write the report page to ``path`` (UTF-8); profile links stay relative to it."""
    output.write_text(path, render(report))
