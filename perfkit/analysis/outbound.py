"""Outbound HTTP findings: N+1 API calls, and views whose time is mostly outbound calls.

An N+1 API call is the N+1 query's twin: one call (method, host, path pattern) made again and
again in one request, usually once per row of a list. Found in the request that made the most
calls at the largest data size, tied to the query it follows, with the fix to try.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from perfkit.analysis.report import NPlusOneCall, OutboundTime
from perfkit.analysis.sqltables import tables
from perfkit.recording import HttpEvent, QueryEvent, Recording

#: Calls of one pattern in one request before they are an N+1, as for queries.
THRESHOLD = 5
#: The share of a view's time outbound calls must take, and their least mean time, to flag it.
DOMINANT_SHARE = 0.5
MIN_HTTP_MS = 5.0

PER_ROW_FIX = (
    "one call per row: ask a batch endpoint for every id in one call, fetch them in bulk "
    "before the loop, or cache each answer (cache.get_many / set_many)"
)

Key = tuple[str, str, str]


def key(call: HttpEvent) -> Key:
    """What makes two calls "the same call with other ids": method, host, path pattern."""
    return call.method, call.host, call.path_pattern


def counts(recording: Recording) -> Counter[Key]:
    """How many times the request made each call."""
    return Counter(key(call) for call in recording.http_calls)


def n_plus_one_calls(
    recording: Recording,
    counts_by_size: dict[str, Counter[Key]],
    size: str = "",
    threshold: int = THRESHOLD,
) -> list[NPlusOneCall]:
    """Calls made at least ``threshold`` times in ``recording``, most first.

    ``counts_by_size`` holds each measured size's worst request's counts: a call whose count
    is the same at every size is one lookup made again and again, not one per row, and its
    fix says so.
    """
    found = []
    for call_key, count in counts(recording).most_common():
        if count < threshold:
            break
        calls = [call for call in recording.http_calls if key(call) == call_key]
        parent = _parent(recording.queries[: calls[0].queries_before])
        by_size = {s: c[call_key] for s, c in counts_by_size.items()}
        method, host, pattern = call_key
        found.append(
            NPlusOneCall(
                method=method,
                host=host,
                path_pattern=pattern,
                count=count,
                # The repetition's own line is its last call's: the first can come from elsewhere.
                callsite=calls[-1].callsite,
                http_ms=sum(call.duration_ms for call in calls),
                failed=sum(call.status is None for call in calls),
                follows_sql=parent.sql if parent else None,
                follows_table=_main_table(parent.sql) if parent else None,
                follows_rows=parent.rows if parent else None,
                fix=_fix(count, by_size),
                size=size,
                counts_by_size=list(by_size.items()) if len(by_size) > 1 else [],
            )
        )
    return found


def _fix(count: int, by_size: dict[str, int]) -> str:
    if len(by_size) > 1 and len(set(by_size.values())) == 1:
        return (
            f"{count}× the same call at every size, not one per row: make it once per "
            "request and reuse the answer, or cache it"
        )
    return PER_ROW_FIX


def _parent(before: list[QueryEvent]) -> QueryEvent | None:
    """The latest query before the first call that read rows: the list the calls follow."""
    return next((q for q in reversed(before) if q.sql.startswith("SELECT")), None)


def _main_table(sql: str) -> str | None:
    read, written = tables(sql)
    return (read or written or (None,))[0]


@dataclass
class OutboundFigures:
    """What the outbound verdict weighs of a view's requests at its largest size."""

    requests: int
    calls_mean: float
    http_ms_mean: float
    wall_ms_mean: float
    #: Per call (method, host, pattern): its time in all, and its latest call site.
    spent: dict[Key, float] = field(default_factory=dict)
    sites: dict[Key, str] = field(default_factory=dict)


def figures(group: list[Recording]) -> OutboundFigures | None:
    """The figures of ``group`` (earliest first); None when none of them made a call."""
    if not any(r.http_calls for r in group):
        return None
    spent: dict[Key, float] = defaultdict(float)
    sites: dict[Key, str] = {}
    for recording in group:
        for call in recording.http_calls:
            spent[key(call)] += call.duration_ms
            sites[key(call)] = call.callsite
    return OutboundFigures(
        requests=len(group),
        calls_mean=statistics.fmean(len(r.http_calls) for r in group),
        http_ms_mean=statistics.fmean(r.http_ms for r in group),
        wall_ms_mean=statistics.fmean(r.wall_ms for r in group),
        spent=dict(spent),
        sites=sites,
    )


def outbound_time(found: OutboundFigures | None) -> OutboundTime | None:
    """The view's outbound time, when calls take most of its requests' time; else None."""
    if found is None:
        return None
    http_ms, wall_ms = found.http_ms_mean, found.wall_ms_mean
    share = http_ms / wall_ms if wall_ms > 0 else 0.0
    if share < DOMINANT_SHARE or http_ms < MIN_HTTP_MS:
        return None
    # Rounded: the same durations summed in another order differ in their last bits.
    slowest = max(found.spent, key=lambda k: (round(found.spent[k], 6), k))
    hosts = sorted({host for _method, host, _pattern in found.spent})
    return OutboundTime(
        requests=found.requests,
        calls_mean=found.calls_mean,
        http_ms_mean=http_ms,
        wall_ms_mean=wall_ms,
        share=min(share, 1.0),
        slowest_call=f"{slowest[0]} {slowest[1]}{slowest[2]}",
        slowest_callsite=found.sites[slowest],
        hosts=hosts,
        fix=(
            f"{min(share, 1.0):.0%} of the view's time is spent waiting on "
            f"{', '.join(hosts)}: cache the answers, make independent calls concurrently, "
            "or move them out of the request (a background task)"
        ),
    )
