"""The report as one self-contained HTML file: inline CSS and SVG charts, no script, no requests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from perfkit import output
from perfkit.analysis.report import Report
from perfkit.renderers import bench_charts, bench_sections, plan_formatting
from perfkit.renderers.formatting import (
    COLD_ONLY,
    FLAG_LABELS,
    call_details,
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

#: The sections the page shows as a section of their own, after the charts and the table;
#: the others are shown in each view's card of findings.
LISTED = (
    bench_sections.CACHING,
    bench_sections.REPEATED,
    bench_sections.FAILED,
    bench_sections.REFUSED,
    bench_sections.PLANS,
    bench_sections.SKIPPED,
    bench_sections.CHANGES,
)


def render(report: Report) -> str:
    """The report page as a string."""
    chart_views = sorted(report.views, key=severity)
    queries = [c for v in chart_views if (c := bench_charts.queries_chart(v)) is not None]
    sections = bench_sections.sections(report)
    return output.html(
        "bench.html",
        FILTERS,
        report=report,
        flagged=len(report.flagged()),
        findings=bench_sections.by_view(report, sections),
        listed=[section for section in sections if section.key in LISTED],
        flag_labels=flag_labels,
        call_details=call_details,
        plan_formatting=plan_formatting,
        queries_charts=queries,
        time_chart=bench_charts.time_chart(report),
        cold_only=COLD_ONLY,
    )


def write(report: Report, path: Path) -> None:
    """Write the report page to ``path`` (UTF-8); profile links stay relative to it."""
    output.write_text(path, render(report))
