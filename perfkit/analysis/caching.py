"""Caching candidates: GET views whose responses repeat, what to use, what invalidates them."""

from __future__ import annotations

import statistics
from collections import defaultdict

from perfkit.analysis.model import CachingCandidate
from perfkit.recording import Recording

#: A view is worth caching when it does real database work for a response that repeats:
#: at least BIG_DB_MS per request, or several queries (MIN_QUERIES) taking some time. One or
#: two quick queries save too little to be worth a cache and its invalidation. (Query count
#: matters because SQLite does most of its work while rows are fetched, after the timed
#: execute, so its DB times are low.) The time is the median request's: a busy machine
#: slows some requests, and a mean would let those few decide.
BIG_DB_MS = 2.0
MIN_QUERIES = 3
MIN_DB_MS = 0.05


def repeated_requests(recordings: list[Recording]) -> int:
    """Requests whose body equals an earlier one at the same data size."""
    seen: set[tuple[str, str]] = set()
    repeats = 0
    for recording in recordings:
        key = (recording.labels.get("size", ""), recording.body_hash or "")
        if key in seen:
            repeats += 1
        seen.add(key)
    return repeats


def candidate(
    view: str,
    recordings: list[Recording],
    tables_read: list[str],
    writers: dict[str, set[str]],
    flagged_queries: bool,
) -> tuple[CachingCandidate | None, str]:
    """The candidate for one view, or None and the reason it is not one."""
    gets = [r for r in recordings if r.method == "GET" and r.status == 200 and r.body_hash]
    if not gets:
        return None, "no successful GET responses"
    if any(r.has_cache_control or r.has_etag or r.has_last_modified for r in gets):
        return None, "already sends Cache-Control, ETag or Last-Modified"
    if any(r.method not in ("GET", "HEAD") for r in recordings):
        return None, "handles writes"
    if flagged_queries:
        return None, "fix its O(n) queries first: a cache would only hide them"
    repeats = repeated_requests(gets)
    if repeats == 0:
        return None, "every response differs"
    db_ms = statistics.fmean(r.db_ms for r in gets)
    wall_ms = statistics.fmean(r.wall_ms for r in gets)
    queries = statistics.fmean(len(r.queries) for r in gets)
    typical_db_ms = statistics.median(r.db_ms for r in gets)
    if typical_db_ms < BIG_DB_MS and (queries < MIN_QUERIES or typical_db_ms < MIN_DB_MS):
        return None, "too little database work to be worth a cache"
    invalidated_by = sorted({w for table in tables_read for w in writers.get(table, ())} - {view})
    tool, why = _tool(gets, invalidated_by)
    return (
        CachingCandidate(
            view=view,
            requests=len(gets),
            repeat_ratio=round(repeats / len(gets), 4),
            wall_mean_ms=wall_ms,
            db_ms_mean=db_ms,
            saved_ms=repeats * wall_ms,
            tool=tool,
            why=why,
            tables=tables_read,
            invalidated_by=invalidated_by,
            db_saved_ms=repeats * db_ms,
        ),
        "",
    )


def _tool(gets: list[Recording], invalidated_by: list[str]) -> tuple[str, str]:
    if any(r.authenticated for r in gets):
        return (
            "template fragment cache ({% cache %}) or a low-level cache of its queries",
            "logged-in users see it, so the whole page cannot be shared between them",
        )
    if invalidated_by:
        return (
            "@cache_page with invalidation on writes, or ETag / conditional GET",
            "anonymous and identical between writes; clear it on writes by "
            + ", ".join(invalidated_by)
            + ", or let clients revalidate with an ETag",
        )
    return ("@cache_page", "anonymous and identical across requests")


def writers_by_table(recordings: list[Recording]) -> dict[str, set[str]]:
    """For each table, the views that wrote to it."""
    from perfkit.analysis.sqltables import tables

    found: dict[str, set[str]] = defaultdict(set)
    for recording in recordings:
        for query in recording.queries:
            for table in tables(query.sql)[1]:
                found[table].add(recording.view)
    return found
