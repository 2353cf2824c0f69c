"""The terminal report: a per-view table, then the findings and the fix to try for each."""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from perfkit.analysis.report import (
    CACHING_CANDIDATE,
    N_PLUS_ONE,
    O_N_QUERIES,
    REPEATED_LOOKUP,
    Report,
    ViewReport,
)
from perfkit.renderers.formatting import (
    COLD_ONLY,
    REPEATED_SHOWN,
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
}
_HEADING = "bold underline"
_SQL = 160
#: Repeated queries shown in the terminal; the JSON, HTML and Markdown reports list them all.


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
    _o_n(report, console)
    _n_plus_one(report, console)
    _lookups(report, console)
    _caching(report, console)
    _repeated(report, console)
    _failed(report, console)
    _refused(report, console)
    _skipped(report, console)
    _profiles(report, console)
    _changes(report, console)
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
        caption="flags: O(n) query count grows with n · N+1 one query per row · "
        "cache caching candidate",
        caption_justify="left",
    )
    table.add_column("view", no_wrap=True, width=view_width)
    for column, column_width in zip(_COLUMNS, fixed, strict=False):
        table.add_column(column, justify="right", no_wrap=True, min_width=column_width)
    table.add_column("flags", no_wrap=True, min_width=fixed[-1])
    cells = iter(rows)
    for view in report.views:
        style = "bold red" if O_N_QUERIES in view.flags or N_PLUS_ONE in view.flags else None
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


def _heading(console: Console, title: str) -> None:
    console.print()
    console.print(Text(title, _HEADING))


def _at(console: Console, indent: int, *lines: Text) -> None:
    console.print(Padding(Group(*lines), (0, 0, 0, indent), expand=False))


def _item(console: Console, head: Text, *details: Text) -> None:
    _at(console, 2, head)
    if details:
        _at(console, 6, *details)


def _o_n(report: Report, console: Console) -> None:
    grows = [(v, v.fit) for v in report.views if O_N_QUERIES in v.flags and v.fit is not None]
    if not grows:
        return
    _heading(console, "Views whose query count grows with the data (O(n))")
    for view, fit in sorted(grows, key=lambda pair: -pair[1].slope):
        points = ", ".join(f"n={n}: {q}" for n, q in fit.points)
        _item(
            console,
            Text.assemble((view.view, "bold red"), f"  {fit.formula()}"),
            *_persona(view),
            Text(f"worst request per size: {points}", "dim"),
        )


def _n_plus_one(report: Report, console: Console) -> None:
    _groups(console, "N+1 queries: one query per row, inside one request", report, per_row=True)


def _lookups(report: Report, console: Console) -> None:
    heading = "Repeated lookups: the same count at every size, not growth"
    _groups(console, heading, report, per_row=False)


def _groups(console: Console, heading: str, report: Report, per_row: bool) -> None:
    """Each view's N+1 groups (``per_row``) or repeated lookups, with call site and fix."""
    views = [(v, v.n_plus_one if per_row else v.repeated_lookups) for v in report.views]
    views = [(v, groups) for v, groups in views if groups]
    if not views:
        return
    _heading(console, heading)
    for view, groups in views:
        _at(console, 2, Text(view.view, "bold"), *_persona(view))
        for group in groups:
            details = [Text(f"at {group.callsite}")]
            if per_row and group.cold_only:
                details.append(Text(COLD_ONLY, "yellow"))
            if per_row and group.follows_rows is not None:
                source = f" from {group.follows_table}" if group.follows_table else ""
                details.append(
                    Text(f"after a query that returned {group.follows_rows} rows{source}")
                )
            details.append(Text.assemble(("fix: ", "bold green"), (group.fix, "green")))
            _at(console, 4, Text(f"{group.count}× {shorten(group.sql, _SQL)}"))
            _at(console, 8, *details)


def _persona(view: ViewReport) -> list[Text]:
    shown = requested_as(view)
    return [Text(shown, "dim")] if shown else []


def _caching(report: Report, console: Console) -> None:
    if not report.caching_candidates:
        return
    _heading(console, "Caching candidates, most time saved first")
    for rank, candidate in enumerate(report.caching_candidates, start=1):
        details = [
            Text.assemble(("tool: ", "bold green"), (candidate.tool, "green")),
            Text(f"why: {candidate.why}"),
            Text(
                f"saves ~{ms(candidate.saved_ms)} ms over {candidate.requests} requests "
                f"({ms(candidate.db_saved_ms)} ms of it in the database; "
                f"{candidate.repeat_ratio:.0%} of responses repeat)"
            ),
        ]
        if candidate.tables:
            details.append(Text(f"invalidate on writes to: {', '.join(candidate.tables)}"))
        if candidate.invalidated_by:
            details.append(Text(f"written by: {', '.join(candidate.invalidated_by)}"))
        _item(console, Text.assemble(f"{rank}. ", (candidate.view, "bold")), *details)


def _repeated(report: Report, console: Console) -> None:
    if not report.repeated_queries:
        return
    _heading(console, "Repeated identical queries across requests (query-level cache candidates)")
    for query in report.repeated_queries[:REPEATED_SHOWN]:
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
    hidden = len(report.repeated_queries) - REPEATED_SHOWN
    if hidden > 0:
        console.print(Text(f"  … and {hidden} more in the JSON report", "dim"))


def _failed(report: Report, console: Console) -> None:
    if not report.failed:
        return
    _heading(console, "Views not served: left out of the analysis")
    for view in report.failed:
        share = "" if view.failed == view.requests else f" ({view.failed} of {view.requests})"
        _item(console, Text.assemble((view.view, "bold"), f"  {view.verdict}{share}"))


def _refused(report: Report, console: Console) -> None:
    if not report.refused_calls:
        return
    _heading(console, "Outbound calls refused (bench blocks the network; --allow-network)")
    for call in report.refused_calls:
        method = f" on {call.method}" if call.method else ""
        _item(console, Text.assemble((call.view, "bold"), f"  calls {call.host}{method}"))


def _skipped(report: Report, console: Console) -> None:
    if not report.skipped:
        return
    _heading(console, "Skipped")
    for entry in report.skipped:
        subject = entry.get("url") or entry.get("view") or entry.get("model") or "?"
        _item(console, Text.assemble((subject, "bold"), f"  {entry.get('reason', '')}"))


def _changes(report: Report, console: Console) -> None:
    if not report.changes:
        return
    _heading(console, "What perfkit changed in the project's settings for this run")
    for change in report.changes:
        _at(console, 2, Text(change, "dim"))


def _profiles(report: Report, console: Console) -> None:
    profiled = [v for v in report.views if v.profile]
    if not profiled:
        return
    _heading(console, "Profiles of the slowest request")
    for view in profiled:
        _item(console, Text.assemble((view.view, "bold"), f"  {view.profile}"))
