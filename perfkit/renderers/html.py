"""The report as one self-contained HTML file: inline CSS and SVG charts, no script, no requests."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from perfkit.analysis.model import Report
from perfkit.renderers import charts
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

#: Belt and braces: even if a string slipped through unescaped, the page could run no script
#: and fetch nothing (styles are inline, images would only be data: URLs).
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_ENV.filters.update(
    ms=ms,
    number=number,
    ratio=ratio,
    shorten=shorten,
    href=file_href,
    requested_as=requested_as,
    flag_label=lambda flag: FLAG_LABELS.get(flag, flag),
)


def render(report: Report) -> str:
    """The report page as a string."""
    chart_views = sorted(report.views, key=severity)
    queries = [c for v in chart_views if (c := charts.queries_chart(v)) is not None]
    return _ENV.get_template("report.html").render(
        report=report,
        csp=CSP,
        flagged=sorted(report.flagged(), key=severity),
        flag_labels=flag_labels,
        queries_charts=queries,
        time_chart=charts.time_chart(report),
        cold_only=COLD_ONLY,
        repeated_listed=REPEATED_LISTED,
    )


def write(report: Report, path: Path) -> None:
    """Write the report page to ``path`` (UTF-8); profile links stay relative to it."""
    Path(path).write_text(render(report), encoding="utf-8")
