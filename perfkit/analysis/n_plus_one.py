"""N+1 groups: one fingerprint run many times in a request, tied to the query it follows."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from perfkit import labels
from perfkit.analysis.fixes import Relation, suggest
from perfkit.analysis.report import NPlusOneGroup
from perfkit.analysis.sqltables import tables
from perfkit.recording import QueryEvent, Recording

THRESHOLD = 5


def _main_table(sql: str) -> str | None:
    read, written = tables(sql)
    return (read or written or (None,))[0]


def groups(
    recording: Recording, relations: dict[str, list[Relation]], threshold: int = THRESHOLD
) -> list[NPlusOneGroup]:
    """Fingerprints executed at least ``threshold`` times in one request, most first."""
    counts = Counter(q.fingerprint for q in recording.queries)
    repeated = {fp for fp, n in counts.items() if n >= threshold}
    if not repeated:
        return []
    lazy = recording.eager.lazy if recording.eager is not None else None
    found = []
    for fp, n in counts.most_common():
        if fp not in repeated:
            continue
        queries = recording.queries
        runs = [i for i, q in enumerate(queries) if q.fingerprint == fp]
        # The repetition's own line is its last execution's: the first can come from elsewhere.
        callsite = queries[runs[-1]].callsite
        index = runs[1] if _first_is_elsewhere(queries, runs, callsite, repeated) else runs[0]
        first = queries[index]
        parent = _parent(queries[:index], repeated)
        parent_table = _main_table(parent.sql) if parent else None
        child_table = _main_table(first.sql)
        found.append(
            NPlusOneGroup(
                fingerprint=fp,
                sql=first.sql,
                table=child_table,
                count=n,
                callsite=callsite,
                follows_sql=parent.sql if parent else None,
                follows_table=parent_table,
                follows_rows=parent.rows if parent else None,
                fix=suggest(relations, parent_table, child_table, lazy) + _on_viewset(recording),
                size=recording.labels.get(labels.SIZE, ""),
            )
        )
    return found


def mark_cold_only(
    groups: list[NPlusOneGroup], warm_counts: dict[str, int], threshold: int = THRESHOLD
) -> list[NPlusOneGroup]:
    """``groups`` (found in a cold request) marked when no warm request repeats them:
    ``warm_counts`` holds each statement's most executions in one warm request."""
    return [
        group
        if warm_counts.get(group.fingerprint, 0) >= threshold
        else replace(group, cold_only=True)
        for group in groups
    ]


def constant_repeats(
    groups: list[NPlusOneGroup], recording: Recording, counts_by_size: list[Counter[str]]
) -> tuple[list[NPlusOneGroup], list[NPlusOneGroup]]:
    """``groups`` split into per-row groups and lookups repeated a constant number of times.

    ``counts_by_size`` holds each measured size's worst request's fingerprint counts. A group
    whose count is the same at two or more sizes is a constant repeat when it is not tied to
    the rows of a list: every execution has the same parameters (one lookup, run again and
    again), no list query comes before it, or parameters repeat after a query whose rows the
    driver did not count (SQLite; djpress's admin checked two group names five times each on
    every page). A page of 25 rows looked up one by one stays a per-row group: it follows its
    list, and each row has parameters of its own.
    """
    if len(counts_by_size) < 2:
        return groups, []
    per_row, constant = [], []
    for group in groups:
        counts = {counts[group.fingerprint] for counts in counts_by_size}
        params = {q.params_hash for q in recording.queries if q.fingerprint == group.fingerprint}
        same_lookup = len(params) == 1 and None not in params
        params_repeat = len(params) < group.count
        untied = group.follows_sql is None or (group.follows_rows is None and params_repeat)
        if len(counts) == 1 and (same_lookup or untied):
            fix = (
                f"{group.count}× the same lookup at every size: fetch it once and reuse it, "
                "or cache it"
                if same_lookup
                else f"{group.count} lookups at every size, not one per row: fetch them in "
                "one query (filter(pk__in=…)) or cache them"
            )
            constant.append(replace(group, fix=fix))
        else:
            per_row.append(group)
    return per_row, constant


def _on_viewset(recording: Recording) -> str:
    """`` on BookViewSet.queryset`` for a DRF router's list or detail route, else nothing.

    There the rows come from the viewset's ``queryset``; an ``@action`` builds its own.
    """
    view_class = (recording.view_path or "").rpartition(".")[2]
    name = recording.url_name or ""
    if view_class.endswith("ViewSet") and name.endswith(("-list", "-detail")):
        return f" on {view_class}.queryset"
    return ""


def _first_is_elsewhere(
    queries: list[QueryEvent], runs: list[int], callsite: str, repeated: set[str]
) -> bool:
    """Whether a statement's first execution stands apart from the per-row ones after it.

    The logged-in user loaded once, then each row's owner: the same statement, first run
    before the list it repeats over. Seen as a call site that differs from the repeated ones
    (in the process that recorded it; a stored statement keeps one call site), as a first gap
    unlike the next (per-row executions come at a steady stride), or as no list before it.
    """
    if queries[runs[0]].callsite != callsite:
        return True
    if len(runs) >= 3 and runs[1] - runs[0] != runs[2] - runs[1]:
        return True
    return _parent(queries[: runs[0]], repeated) is None and (
        _parent(queries[: runs[1]], repeated) is not None
    )


def _parent(before: list[QueryEvent], repeated: set[str]) -> QueryEvent | None:
    """The latest earlier query that is not itself repeated: the list the rows came from."""
    for query in reversed(before):
        if query.fingerprint not in repeated and query.sql.startswith("SELECT"):
            return query
    return None
