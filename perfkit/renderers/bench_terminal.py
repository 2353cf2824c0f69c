"""The terminal report: a per-view table, then the findings and the fix to try for each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from perfkit.analysis.report import (
    CACHING_CANDIDATE,
    N_PLUS_ONE,
    N_PLUS_ONE_API,
    O_N_QUERIES,
    OUTBOUND_BOUND,
    REPEATED_LOOKUP,
    UNUSED_EAGER_LOAD,
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
    Skip,
    Waiting,
)
from perfkit.renderers.formatting import (
    COLD_ONLY,
    REPEATED_SHOWN,
    call_details,
    ms,
    number,
    ratio,
    requested_as,
    shorten,
    shorten_middle,
)

_SHORT_FLAGS = {
    O_N_QUERIES: "O(n)",
    N_PLUS_ONE: "N+1",
    REPEATED_LOOKUP: "repeat",
    CACHING_CANDIDATE: "cache",
    N_PLUS_ONE_API: "N+1 API",
    OUTBOUND_BOUND: "http",
    UNUSED_EAGER_LOAD: "eager",
}
_HEADING = "bold underline"
_SQL = 160


def render(report: Report, console: Console) -> None:
    """Print the report: the per-view table first, then what to fix."""
    console.print(
        Text.assemble(
            ("perfkit report", "bold"),
            f" · {report.source} · {report.records} requests · sizes: "
            + (", ".join(report.sizes) or "–"),
        )
    )
    console.print(_table(report, console.width))
    for section in bench_sections.sections(report, repeated=REPEATED_SHOWN):
        _heading(console, section.title)
        for rank, item in enumerate(section.items, start=1):
            _ITEMS[section.key](console, rank, item)
        if section.hidden:
            console.print(Text(f"  … and {section.hidden} more in the JSON report", "dim"))
    if not report.flagged():
        console.print(Text("No view is flagged: constant queries, nothing worth caching.", "green"))


_COLUMNS = ("n", "req", "p50 ms", "p95 ms", "queries", "db ms", "hit")
#: The view column is never narrower: below that, a name is all ellipsis.
_VIEW_MIN = 16


def _table(report: Report, width: int) -> Table:
    """The per-view table within ``width`` columns.

    Numbers and flags are never cut or wrapped; a long view name is shortened in the middle
    (both its namespace and its last word stay readable) to the width they leave.
    """
    rows = [
        [
            size.size,
            str(size.requests),
            ms(size.wall_p50_ms),
            ms(size.wall_p95_ms),
            number(size.queries_mean),
            ms(size.db_ms_mean),
            ratio(size.cache_hit_ratio),
        ]
        for view in report.views
        for size in view.sizes
    ]
    flags = {
        view.view: " ".join(_SHORT_FLAGS.get(f, f) for f in view.flags) for view in report.views
    }
    fixed = [max([len(name), *(len(row[i]) for row in rows)]) for i, name in enumerate(_COLUMNS)]
    fixed.append(max([len("flags"), *(len(text) for text in flags.values())]))
    # Collapsed padding and no edge: two characters between columns, none outside.
    columns = 1 + len(fixed)
    longest = max([len("view"), *(len(v.view) for v in report.views)])
    view_width = min(longest, max(_VIEW_MIN, width - sum(fixed) - (2 * columns - 2)))
    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
        show_edge=False,
        caption=_caption({flag for view in report.views for flag in view.flags}),
        caption_justify="left",
    )
    table.add_column("view", no_wrap=True, width=view_width)
    for column, column_width in zip(_COLUMNS, fixed, strict=False):
        table.add_column(column, justify="right", no_wrap=True, min_width=column_width)
    table.add_column("flags", no_wrap=True, min_width=fixed[-1])
    cells = iter(rows)
    for view in report.views:
        style = "bold red" if {O_N_QUERIES, N_PLUS_ONE, N_PLUS_ONE_API} & set(view.flags) else None
        name = shorten_middle(view.view, view_width)
        for position, _size in enumerate(view.sizes):
            first = position == 0
            table.add_row(
                Text(name, style=style or "") if first else "",
                *next(cells),
                Text(flags[view.view], style="bold red" if flags[view.view] else "")
                if first
                else "",
                end_section=position == len(view.sizes) - 1,
            )
    return table


#: Legends of the flags few sites carry (outbound calls, unused eager loads): shown only when a
#: view carries one.
_RARE_LEGENDS = {
    N_PLUS_ONE_API: "N+1 API one HTTP call per row",
    OUTBOUND_BOUND: "http mostly waits on HTTP calls",
    UNUSED_EAGER_LOAD: "eager loads rows it never reads",
}


def _caption(flags: set[str]) -> str:
    rare = [legend for flag, legend in _RARE_LEGENDS.items() if flag in flags]
    return " · ".join(
        [
            "flags: O(n) query count grows with n",
            "N+1 one query per row",
            *rare,
            "cache caching candidate",
        ]
    )


def _heading(console: Console, title: str) -> None:
    console.print()
    console.print(Text(title, _HEADING))


def _at(console: Console, indent: int, *lines: Text) -> None:
    console.print(Padding(Group(*lines), (0, 0, 0, indent), expand=False))


def _item(console: Console, head: Text, *details: Text) -> None:
    _at(console, 2, head)
    if details:
        _at(console, 6, *details)


def _growth(console: Console, _rank: int, growth: Growth) -> None:
    points = ", ".join(f"n={n}: {q}" for n, q in growth.fit.points)
    _item(
        console,
        Text.assemble((growth.view.view, "bold red"), f"  {growth.fit.formula()}"),
        *_persona(growth.view),
        Text(f"worst request per size: {points}", "dim"),
    )


def _groups(console: Console, item: Groups, per_row: bool) -> None:
    """A view's N+1 groups (``per_row``) or repeated lookups, with call site and fix."""
    _at(console, 2, Text(item.view.view, "bold"), *_persona(item.view))
    for group in item.groups:
        details = [Text(f"at {group.callsite}")]
        if per_row and group.cold_only:
            details.append(Text(COLD_ONLY, "yellow"))
        if per_row and group.follows_rows is not None:
            source = f" from {group.follows_table}" if group.follows_table else ""
            details.append(Text(f"after a query that returned {group.follows_rows} rows{source}"))
        details.append(Text.assemble(("fix: ", "bold green"), (group.fix, "green")))
        _at(console, 4, Text(f"{group.count}× {shorten(group.sql, _SQL)}"))
        _at(console, 8, *details)


def _n_plus_one(console: Console, _rank: int, item: Groups) -> None:
    _groups(console, item, per_row=True)


def _lookups(console: Console, _rank: int, item: Groups) -> None:
    _groups(console, item, per_row=False)


def _n_plus_one_calls(console: Console, _rank: int, item: Calls) -> None:
    _at(console, 2, Text(item.view.view, "bold"), *_persona(item.view))
    for call in item.calls:
        _at(console, 4, Text(f"{call.count}× {call.call()}"))
        _at(
            console,
            8,
            Text(f"at {call.callsite}"),
            *(Text(line) for line in call_details(call)),
            Text.assemble(("fix: ", "bold green"), (call.fix, "green")),
        )


def _outbound(console: Console, _rank: int, item: Waiting) -> None:
    waiting = item.outbound
    _item(
        console,
        Text.assemble(
            (item.view.view, "bold"),
            f"  {ms(waiting.http_ms_mean)} of {ms(waiting.wall_ms_mean)} ms "
            f"({ratio(waiting.share)}) in {number(waiting.calls_mean)} calls per request",
        ),
        Text(f"slowest: {waiting.slowest_call} at {waiting.slowest_callsite}"),
        Text.assemble(("fix: ", "bold green"), (waiting.fix, "green")),
    )


def _unused_eager(console: Console, _rank: int, item: Loads) -> None:
    _at(console, 2, Text(item.view.view, "bold"))
    for load in item.loads:
        rows = f"{load.rows} row{'s' if load.rows != 1 else ''}"
        _at(console, 4, Text(f"{load.call()} on {load.model}: {rows} never read"))
        _at(
            console,
            8,
            Text(f"at {load.callsite}"),
            Text.assemble(("fix: ", "bold green"), (load.fix, "green")),
        )


def _persona(view: ViewReport) -> list[Text]:
    shown = requested_as(view)
    return [Text(shown, "dim")] if shown else []


def _caching(console: Console, rank: int, candidate: CachingCandidate) -> None:
    details = [
        Text.assemble(("tool: ", "bold green"), (candidate.tool, "green")),
        Text(f"why: {candidate.why}"),
        Text(
            f"saves ~{ms(candidate.saved_ms)} ms over {candidate.requests} requests "
            f"({ms(candidate.db_saved_ms)} ms of it in the database; "
            f"{ratio(candidate.repeat_ratio)} of responses repeat)"
        ),
    ]
    if candidate.tables:
        details.append(Text(f"invalidate on writes to: {', '.join(candidate.tables)}"))
    if candidate.invalidated_by:
        details.append(Text(f"written by: {', '.join(candidate.invalidated_by)}"))
    _item(console, Text.assemble(f"{rank}. ", (candidate.view, "bold")), *details)


def _repeated(console: Console, _rank: int, query: RepeatedQuery) -> None:
    _item(
        console,
        Text.assemble(
            (query.view, "bold"),
            f"  {query.executions}× in {query.requests} requests, "
            f"{ms(query.db_ms_total)} ms in all",
        ),
        Text(shorten(query.sql, 90)),
        Text(f"at {query.callsite}", "dim"),
    )


def _failed(console: Console, _rank: int, view: FailedView) -> None:
    share = "" if view.failed == view.requests else f" ({view.failed} of {view.requests})"
    _item(console, Text.assemble((view.view, "bold"), f"  {view.verdict}{share}"))


def _refused(console: Console, _rank: int, call: RefusedCall) -> None:
    method = f" on {call.method}" if call.method else ""
    details = [Text(f"paths: {', '.join(call.paths)}")] if call.paths else []
    if call.callsite:
        details.append(Text(f"at {call.callsite}", "dim"))
    _item(console, Text.assemble((call.view, "bold"), f"  calls {call.host}{method}"), *details)


def _plans(console: Console, _rank: int, statement: ExplainedStatement) -> None:
    details = [Text(shorten(statement.sql, _SQL)), Text(f"at {statement.callsite}", "dim")]
    details += [Text(plan_formatting.finding_line(f), "yellow") for f in statement.findings]
    details += [
        Text.assemble(("fix: ", "bold green"), (line, "green"))
        for line in plan_formatting.fixes(statement)
    ]
    rows = plan_formatting.rows_line(statement)
    if rows:
        details.append(Text(rows, "dim"))
    size, text = plan_formatting.plan_text(statement)
    if text:
        details.append(Text(f"plan at n={size} ({statement.vendor}):", "dim"))
        details += [Text("  " + line, "dim") for line in text.splitlines()]
    head = Text.assemble(
        (", ".join(statement.views), "bold"), f"  {plan_formatting.why(statement)}"
    )
    _item(console, head, *details)


def _skipped(console: Console, _rank: int, skip: Skip) -> None:
    _item(console, Text.assemble((skip.subject, "bold"), f"  {skip.reason}"))


def _profile(console: Console, _rank: int, profile: Profile) -> None:
    _item(console, Text.assemble((profile.view.view, "bold"), f"  {profile.path}"))


def _change(console: Console, _rank: int, change: str) -> None:
    _at(console, 2, Text(change, "dim"))


#: How each section's item is printed, given its 1-based rank in the section.
_ITEMS: dict[str, Callable[[Console, int, Any], None]] = {
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
