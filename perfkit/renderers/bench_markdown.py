"""The report as GitHub-flavoured Markdown: a per-view table, then the findings."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from perfkit.analysis.report import (
    CachingCandidate,
    ExplainedStatement,
    FailedView,
    RefusedCall,
    RepeatedQuery,
    Report,
    ViewReport,
)
from perfkit.renderers import bench_sections, plan_formatting
from perfkit.renderers.bench_sections import (
    Calls,
    Groups,
    Growth,
    Loads,
    Profile,
    Section,
    Skip,
    Waiting,
)
from perfkit.renderers.formatting import (
    COLD_ONLY,
    call_details,
    file_href,
    flag_labels,
    ms,
    number,
    one_line,
    ratio,
    requested_as,
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
    listed = bench_sections.sections(report)
    findings = [s for s in listed if s.key in bench_sections.FINDINGS]
    rest = [s for s in listed if s.key not in bench_sections.FINDINGS]
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
        *(line for section in findings for line in _section(section, "###")),
    ]
    if not findings:
        lines += ["No view is flagged: constant queries, nothing worth caching.", ""]
    lines += [line for section in rest for line in _section(section, "##")]
    return "\n".join(lines).rstrip("\n") + "\n"


def _section(section: Section, level: str) -> list[str]:
    """The section under a heading of ``level``: a table or a list, and what it left out."""
    lines = [f"{level} {section.title}", "", *_TABLES.get(section.key, ())]
    for rank, item in enumerate(section.items, start=1):
        lines += _ITEMS[section.key](rank, item)
    if section.hidden:
        lines += ["", f"… and {section.hidden} more in the JSON report."]
    return [*lines, ""]


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


def _growth(_rank: int, growth: Growth) -> list[str]:
    points = ", ".join(f"n={n}: {q}" for n, q in growth.fit.points)
    view = growth.view
    return [f"- **{text(view.view)}**: {code(growth.fit.formula())} ({points}){_persona(view)}"]


def _persona(view: ViewReport) -> str:
    shown = requested_as(view)
    return f", {text(shown)}" if shown else ""


def _groups(item: Groups, per_row: bool) -> list[str]:
    """A view's N+1 groups (``per_row``) or repeated lookups, with call site and fix."""
    lines = []
    for group in item.groups:
        lines.append(
            f"- **{text(item.view.view)}**: {group.count}× {code(shorten(group.sql, 300))}"
            + _persona(item.view)
        )
        lines.append(f"  - at {code(group.callsite)}")
        if per_row and group.cold_only:
            lines.append(f"  - {COLD_ONLY}")
        if per_row and group.follows_rows is not None:
            source = f" from {code(group.follows_table)}" if group.follows_table else ""
            lines.append(f"  - after a query that returned {group.follows_rows} rows{source}")
        lines.append(f"  - fix: {code(group.fix)}")
    return lines


def _n_plus_one(_rank: int, item: Groups) -> list[str]:
    return _groups(item, per_row=True)


def _lookups(_rank: int, item: Groups) -> list[str]:
    return _groups(item, per_row=False)


def _n_plus_one_calls(_rank: int, item: Calls) -> list[str]:
    lines = []
    for call in item.calls:
        lines.append(
            f"- **{text(item.view.view)}**: {call.count}× {code(call.call())}" + _persona(item.view)
        )
        lines.append(f"  - at {code(call.callsite)}")
        lines += [f"  - {text(line)}" for line in call_details(call)]
        lines.append(f"  - fix: {code(call.fix)}")
    return lines


def _outbound(_rank: int, item: Waiting) -> list[str]:
    waiting = item.outbound
    return [
        f"- **{text(item.view.view)}**: {ms(waiting.http_ms_mean)} of "
        f"{ms(waiting.wall_ms_mean)} ms ({ratio(waiting.share)}) in "
        f"{number(waiting.calls_mean)} outbound calls per request",
        f"  - slowest: {code(waiting.slowest_call)} at {code(waiting.slowest_callsite)}",
        f"  - fix: {code(waiting.fix)}",
    ]


def _unused_eager(_rank: int, item: Loads) -> list[str]:
    lines = []
    for load in item.loads:
        lines.append(
            f"- **{text(item.view.view)}**: {code(load.call())} on {code(load.model)}, "
            f"{load.rows} row(s) never read"
        )
        lines.append(f"  - at {code(load.callsite)}")
        lines.append(f"  - fix: {code(load.fix)}")
    return lines


def _caching(rank: int, c: CachingCandidate) -> list[str]:
    return [
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
    ]


def _repeated(_rank: int, q: RepeatedQuery) -> list[str]:
    return [
        _row(
            text(q.view),
            str(q.executions),
            str(q.requests),
            ms(q.db_ms_total),
            code(shorten(q.sql, 300), cell=True),
            code(q.callsite, cell=True),
        )
    ]


def _failed(_rank: int, view: FailedView) -> list[str]:
    return [_row(code(view.view, cell=True), text(view.verdict), f"{view.failed}/{view.requests}")]


def _refused(_rank: int, call: RefusedCall) -> list[str]:
    return [
        _row(
            code(call.view, cell=True),
            code(call.host, cell=True),
            text(call.method),
            ", ".join(code(path, cell=True) for path in call.paths),
            code(call.callsite, cell=True) if call.callsite else "",
        )
    ]


def _plans(_rank: int, statement: ExplainedStatement) -> list[str]:
    views = ", ".join(code(view) for view in statement.views)
    lines = [
        f"- {views}: {text(plan_formatting.why(statement))}",
        f"  - {code(shorten(statement.sql, 300))} at {code(statement.callsite)}",
    ]
    lines += [f"  - {text(plan_formatting.finding_line(f))}" for f in statement.findings]
    lines += [f"  - **fix:** {code(line)}" for line in plan_formatting.fixes(statement)]
    rows = plan_formatting.rows_line(statement)
    if rows:
        lines.append(f"  - {text(rows)}")
    size, plan = plan_formatting.plan_text(statement)
    if plan:
        fence = "`" * max(3, max((len(run) for run in _TICKS.findall(plan)), default=0) + 1)
        lines.append(f"  - plan at n={size} ({text(statement.vendor)}):")
        lines += [
            "",
            f"    {fence}",
            *(f"    {line}" for line in plan.splitlines()),
            f"    {fence}",
        ]
    return lines


def _skipped(_rank: int, skip: Skip) -> list[str]:
    return [_row(code(skip.subject, cell=True), text(skip.reason))]


def _profile(_rank: int, profile: Profile) -> list[str]:
    return [f"- {text(profile.view.view)}: [{text(profile.path)}]({file_href(profile.path)})"]


def _change(_rank: int, change: str) -> list[str]:
    return [f"- {text(change)}"]


#: How each section's item is written, given its 1-based rank in the section.
_ITEMS: dict[str, Callable[[int, Any], list[str]]] = {
    bench_sections.O_N: _growth,
    bench_sections.N_PLUS_ONE: _n_plus_one,
    bench_sections.N_PLUS_ONE_API: _n_plus_one_calls,
    bench_sections.LOOKUPS: _lookups,
    bench_sections.OUTBOUND: _outbound,
    bench_sections.UNUSED_EAGER: _unused_eager,
    bench_sections.CACHING: _caching,
    bench_sections.REPEATED: _repeated,
    bench_sections.FAILED: _failed,
    bench_sections.REFUSED: _refused,
    bench_sections.PLANS: _plans,
    bench_sections.SKIPPED: _skipped,
    bench_sections.PROFILES: _profile,
    bench_sections.CHANGES: _change,
}

#: The table header of the sections that are a table, and its alignment row.
_TABLES = {
    bench_sections.CACHING: (
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
    ),
    bench_sections.REPEATED: (
        _row("view", "runs", "requests", "DB ms", "query", "call site"),
        "|---|--:|--:|--:|---|---|",
    ),
    bench_sections.FAILED: (_row("view", "answered", "requests"), "|---|---|--:|"),
    bench_sections.REFUSED: (
        _row("view", "host", "method", "paths", "call site"),
        "|---|---|---|---|---|",
    ),
    bench_sections.SKIPPED: (_row("URL", "reason"), "|---|---|"),
}
