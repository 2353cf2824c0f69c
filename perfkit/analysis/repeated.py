"""Query-level cache candidates: the same query, parameters and row count across requests."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from perfkit import labels
from perfkit.analysis.report import RepeatedQuery
from perfkit.recording import Recording


def repeated_queries(
    recordings: list[Recording], skip: Collection[tuple[str, str]] = ()
) -> list[RepeatedQuery]:
    """SELECTs that several requests of one view ran identically, most DB time first: all of
    them (the reports list the first few; the JSON has every one).

    ``skip`` holds (view, fingerprint) pairs already reported as N+1 groups. Identity uses
    the parameters' keyed hash, which matches only within one process: a bench run sees every
    repeat; a multi-worker staging store sees the repeats within each worker.
    """
    return reported(gathered(sorted(recordings, key=lambda r: (r.started_at, r.id))), skip)


def reported(
    found: list[RepeatedQuery],
    skip: Collection[tuple[str, str]],
    views: Collection[str] | None = None,
) -> list[RepeatedQuery]:
    """``found`` without the ``skip`` pairs (and views not in ``views``), most DB time first."""
    kept = [
        q
        for q in found
        if (q.view, q.fingerprint) not in skip and (views is None or q.view in views)
    ]
    # Rounded: the same durations summed in another order differ in their last bits, and
    # two equal totals must not swap places between engines.
    return sorted(kept, key=lambda q: (-round(q.db_ms_total, 6), q.view, q.fingerprint))


@dataclass
class _Seen:
    sql: str
    requests: set[str] = field(default_factory=set)
    executions: int = 0
    db_ms: float = 0.0


def gathered(recordings: list[Recording]) -> list[RepeatedQuery]:
    """SELECTs that two or more requests of one view ran with the same parameters and row
    count (at one size), merged per view and statement. The call site is the statement's in
    the earliest of the view's requests that ran it (``recordings`` come earliest first)."""
    seen: dict[tuple[str, str, str, int, int | None], _Seen] = {}
    callsites: dict[tuple[str, str], str] = {}
    for recording in recordings:
        size = recording.labels.get(labels.SIZE, "")
        for query in recording.queries:
            callsites.setdefault((recording.view, query.fingerprint), query.callsite)
            if query.params_hash is None or not query.sql.startswith("SELECT"):
                continue
            key = (recording.view, size, query.fingerprint, query.params_hash, query.rows)
            entry = seen.get(key)
            if entry is None:
                entry = seen[key] = _Seen(query.sql)
            entry.requests.add(recording.id)
            entry.executions += 1
            entry.db_ms += query.duration_ms
    merged: dict[tuple[str, str], list[_Seen]] = {}
    for (view, _size, fingerprint, _params, _rows), entry in seen.items():
        if len(entry.requests) >= 2:
            merged.setdefault((view, fingerprint), []).append(entry)
    return [
        RepeatedQuery(
            view=view,
            fingerprint=fingerprint,
            sql=entries[0].sql,
            requests=len(set().union(*(e.requests for e in entries))),
            executions=sum(e.executions for e in entries),
            db_ms_total=sum(e.db_ms for e in entries),
            callsite=callsites[(view, fingerprint)],
        )
        for (view, fingerprint), entries in merged.items()
    ]
