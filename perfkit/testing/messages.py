"""Failure messages that name the SQL, the line that ran it and the fix to try."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from perfkit.analysis.report import (
    ExplainedStatement,
    NPlusOneCall,
    NPlusOneGroup,
    UnusedEagerLoad,
)
from perfkit.recording import CacheEvent, HttpEvent, QueryEvent, Recording
from perfkit.renderers import plan_formatting

if TYPE_CHECKING:
    from perfkit.testing.recorder import CacheStats

INDENT = "  "


def query_lines(queries: Sequence[QueryEvent]) -> list[str]:
    """Queries grouped by shape and call site, in order of first run, each with its count."""
    counts: dict[tuple[str, str, str], int] = {}
    sql: dict[tuple[str, str, str], str] = {}
    for query in queries:
        key = (query.alias, query.fingerprint, query.callsite)
        counts[key] = counts.get(key, 0) + 1
        sql.setdefault(key, query.sql)
    lines = []
    for key, n in counts.items():
        alias, _, callsite = key
        lines.append(f"{INDENT}{n}× {_on(alias)}{sql[key]}")
        if callsite:
            lines.append(f"{INDENT}   at {callsite}")
    return lines


def group_lines(group: NPlusOneGroup) -> list[str]:
    """One N+1 group: the repeated SQL, where it ran, what it followed and the fix."""
    lines = [f"{INDENT}{group.count}× {group.sql}"]
    if group.callsite:
        lines.append(f"{INDENT}   at {group.callsite}")
    if group.follows_sql:
        lines.append(f"{INDENT}   after {group.follows_sql}")
    lines.append(f"{INDENT}   fix: {group.fix}")
    return lines


def eager_lines(load: UnusedEagerLoad) -> list[str]:
    """One unused eager load: the lookup, the rows it loaded, the line that asked and the fix."""
    return [
        f"{INDENT}{load.call()} on {load.model}: {load.rows} row(s) never read",
        f"{INDENT}   at {load.callsite}",
        f"{INDENT}   fix: {load.fix}",
    ]


def call_lines(calls: Sequence[HttpEvent]) -> list[str]:
    """Outbound HTTP calls grouped by call and call site, in order of first call, with counts."""
    counts: dict[tuple[str, str], int] = {}
    for call in calls:
        key = (f"{call.method} {call.host}{call.path_pattern}", call.callsite)
        counts[key] = counts.get(key, 0) + 1
    lines = []
    for (made, callsite), n in counts.items():
        lines.append(f"{INDENT}{n}× {made}")
        if callsite:
            lines.append(f"{INDENT}   at {callsite}")
    return lines


def api_call_lines(call: NPlusOneCall) -> list[str]:
    """One N+1 API call: the repeated call, where it was made, what it followed and the fix."""
    lines = [f"{INDENT}{call.count}× {call.call()}"]
    if call.callsite:
        lines.append(f"{INDENT}   at {call.callsite}")
    if call.follows_sql:
        lines.append(f"{INDENT}   after {call.follows_sql}")
    lines.append(f"{INDENT}   fix: {call.fix}")
    return lines


def during(requests: Sequence[Recording]) -> str:
    """`` during GET demo:story_list (200)``, for blocks that made requests."""
    if not requests:
        return ""
    names = ", ".join(f"{r.method} {r.view or '?'} ({r.status})" for r in requests)
    return f" during {names}"


def ratio(value: float | None) -> str:
    return "none (no reads)" if value is None else f"{value:.0%}"


def cache_failure(
    stats: CacheStats, wrong: list[str], ops: Sequence[CacheEvent], requests: Sequence[Recording]
) -> str:
    """Which cache expectations failed on an alias, its totals and each call made."""
    lines = [
        f'cache "{stats.alias}"{during(requests)}: ' + "; ".join(wrong),
        f"{INDENT}{stats.gets} read(s): {stats.hits} hit(s), {stats.misses} miss(es), "
        f"hit ratio {ratio(stats.hit_ratio)}; {stats.sets} key(s) written",
    ]
    lines += [f"{INDENT}{op.op} {op.key_pattern}{_outcome(op)}" for op in ops]
    if not ops:
        lines.append(f"{INDENT}no cache calls on this alias")
    return "\n".join(lines)


def _outcome(op: CacheEvent) -> str:
    if op.hit is None:
        return ""
    if op.keys == 1:
        return " → hit" if op.hits else " → miss"
    return f" → {op.hits} of {op.keys} hit"


def _on(alias: str) -> str:
    return "" if alias == "default" else f"[{alias}] "


def plan_lines(statement: ExplainedStatement) -> list[str]:
    """A statement with no usable index: its SQL and call site, the findings, the fix, the plan."""
    lines = [f"  {statement.sql}", f"    at {statement.callsite}"]
    lines += [f"    {plan_formatting.finding_line(f)}" for f in statement.findings]
    lines += [f"    fix: {line}" for line in plan_formatting.fixes(statement)]
    _size, plan = plan_formatting.plan_text(statement, None)
    lines += [f"      {line}" for line in plan.splitlines()]
    return lines
