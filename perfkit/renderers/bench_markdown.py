"""The report as GitHub-flavoured Markdown: a per-view table, then the findings."""

from __future__ import annotations

import re

from perfkit.analysis.report import O_N_QUERIES, Report, ViewReport
from perfkit.renderers.formatting import (
    COLD_ONLY,
    REPEATED_LISTED,
    file_href,
    flag_labels,
    ms,
    number,
    one_line,
    ratio,
    requested_as,
    severity,
    shorten,
)

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
_TICKS = re.compile(r"`+")


def text(value: str) -> str:
    """Plain text that Markdown shows as written: no emphasis, links, HTML or table breaks."""
    return _SPECIAL.sub(r"\\\1", one_line(value))


def code(value: str, *, cell: bool = False) -> str:
    """A code span that holds any text; in a table ``cell`` its pipes are escaped too."""
    line = one_line(value)
    if cell:
        line = line.replace("|", "\\|")
    fence = "`" * (max((len(run) for run in _TICKS.findall(line)), default=0) + 1)
    if fence == "`" and line and not line.startswith(" "):
        return f"`{line}`"
    return f"{fence} {line} {fence}"


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def render(report: Report) -> str:
    """The whole report as one Markdown document."""
    flagged = report.flagged()
    lines = [
        "# perfkit report",
        "",
        f"{code(report.source)} · {report.records} requests · data sizes: "
        f"{text(', '.join(report.sizes) or '–')} · "
        f"{len(flagged)} of {len(report.views)} views flagged",
        "",
        *_views(report),
        "## Findings",
        "",
    ]
    findings = [*_o_n(report), *_n_plus_one(report), *_lookups(report), *_caching(report)]
    findings += [*_repeated(report), *_failed(report), *_refused(report)]
    findings += [*_skipped(report), *_profiles(report)]
    lines += findings or ["No view is flagged: constant queries, nothing worth caching.", ""]
    lines += _changes(report)
    return "\n".join(lines).rstrip("\n") + "\n"


def _views(report: Report) -> list[str]:
    lines = [
        "## Views",
        "",
        _row("view", "n", "req", "p50 ms", "p95 ms", "queries", "DB ms", "cache hit", "flags"),
        "|---|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for view in report.views:
        for position, size in enumerate(view.sizes):
            first = position == 0
            lines.append(
                _row(
                    f"**{text(view.view)}**" if first and view.flags else text(view.view),
                    text(size.size),
                    str(size.requests),
                    ms(size.wall_p50_ms),
                    ms(size.wall_p95_ms),
                    number(size.queries_mean),
                    ms(size.db_ms_mean),
                    ratio(size.cache_hit_ratio),
                    text(", ".join(flag_labels(view.flags))) if first else "",
                )
            )
    return [*lines, ""]


def _o_n(report: Report) -> list[str]:
    grows = [(v, v.fit) for v in report.views if O_N_QUERIES in v.flags and v.fit is not None]
    if not grows:
        return []
    lines = ["### O(n) queries: the query count grows with the data", ""]
    for view, fit in sorted(grows, key=lambda pair: -pair[1].slope):
        points = ", ".join(f"n={n}: {q}" for n, q in fit.points)
        lines.append(f"- **{text(view.view)}**: {code(fit.formula())} ({points}){_persona(view)}")
    return [*lines, ""]


def _n_plus_one(report: Report) -> list[str]:
    return _groups(report, "### N+1 queries: one query per row, inside one request", True)


def _lookups(report: Report) -> list[str]:
    return _groups(report, "### Repeated lookups: the same count at every size, not growth", False)


def _persona(view: ViewReport) -> str:
    shown = requested_as(view)
    return f", {text(shown)}" if shown else ""


def _groups(report: Report, heading: str, per_row: bool) -> list[str]:
    """Each view's N+1 groups (``per_row``) or repeated lookups, with call site and fix."""
    lines = []
    for view in report.views:
        for group in view.n_plus_one if per_row else view.repeated_lookups:
            lines.append(
                f"- **{text(view.view)}**: {group.count}× {code(shorten(group.sql, 300))}"
                + _persona(view)
            )
            lines.append(f"  - at {code(group.callsite)}")
            if per_row and group.cold_only:
                lines.append(f"  - {COLD_ONLY}")
            if per_row and group.follows_rows is not None:
                source = f" from {code(group.follows_table)}" if group.follows_table else ""
                lines.append(f"  - after a query that returned {group.follows_rows} rows{source}")
            lines.append(f"  - fix: {code(group.fix)}")
    return [heading, "", *lines, ""] if lines else []


def _caching(report: Report) -> list[str]:
    if not report.caching_candidates:
        return []
    lines = [
        "### Caching candidates, most time saved first",
        "",
        _row(
            "#",
            "view",
            "tool",
            "saved ms",
            "of it DB ms",
            "invalidate on writes to",
            "written by",
            "why",
        ),
        "|--:|---|---|--:|--:|---|---|---|",
    ]
    for rank, c in enumerate(report.caching_candidates, start=1):
        lines.append(
            _row(
                str(rank),
                text(c.view),
                code(c.tool, cell=True),
                ms(c.saved_ms),
                ms(c.db_saved_ms),
                ", ".join(code(t, cell=True) for t in c.tables),
                text(", ".join(c.invalidated_by)),
                text(c.why),
            )
        )
    return [*lines, ""]


def _repeated(report: Report) -> list[str]:
    if not report.repeated_queries:
        return []
    lines = [
        "### Repeated identical queries across requests",
        "",
        _row("view", "runs", "requests", "DB ms", "query", "call site"),
        "|---|--:|--:|--:|---|---|",
    ]
    for q in report.repeated_queries[:REPEATED_LISTED]:
        lines.append(
            _row(
                text(q.view),
                str(q.executions),
                str(q.requests),
                ms(q.db_ms_total),
                code(shorten(q.sql, 300), cell=True),
                code(q.callsite, cell=True),
            )
        )
    hidden = len(report.repeated_queries) - REPEATED_LISTED
    if hidden > 0:
        lines += ["", f"… and {hidden} more in the JSON report."]
    return [*lines, ""]


def _failed(report: Report) -> list[str]:
    if not report.failed:
        return []
    lines = [
        "### Views not served: left out of the analysis",
        "",
        _row("view", "answered", "requests"),
        "|---|---|--:|",
    ]
    for view in report.failed:
        lines.append(
            _row(code(view.view, cell=True), text(view.verdict), f"{view.failed}/{view.requests}")
        )
    return [*lines, ""]


def _refused(report: Report) -> list[str]:
    if not report.refused_calls:
        return []
    lines = [
        "### Outbound calls refused (bench blocks the network)",
        "",
        _row("view", "host", "method"),
        "|---|---|---|",
    ]
    for call in report.refused_calls:
        lines.append(
            _row(code(call.view, cell=True), code(call.host, cell=True), text(call.method))
        )
    return [*lines, ""]


def _skipped(report: Report) -> list[str]:
    if not report.skipped:
        return []
    lines = ["### Skipped", "", _row("URL", "reason"), "|---|---|"]
    for entry in report.skipped:
        subject = entry.get("url") or entry.get("view") or entry.get("model") or "?"
        lines.append(_row(code(subject, cell=True), text(entry.get("reason", ""))))
    return [*lines, ""]


def _changes(report: Report) -> list[str]:
    if not report.changes:
        return []
    lines = ["## What perfkit changed in the project's settings for this run", ""]
    return [*lines, *(f"- {text(change)}" for change in report.changes), ""]


def _profiles(report: Report) -> list[str]:
    profiled = [(v, v.profile) for v in sorted(report.views, key=severity) if v.profile]
    if not profiled:
        return []
    lines = ["### Profiles of the slowest request", ""]
    for view, path in profiled:
        lines.append(f"- {text(view.view)}: [{text(path)}]({file_href(path)})")
    return [*lines, ""]
