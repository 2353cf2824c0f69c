"""Query-level cache candidates: the same query, parameters and row count across requests."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from perfkit import labels
from perfkit.analysis.report import RepeatedQuery
from perfkit.recording import QueryEvent, Recording


@dataclass
class _Seen:
    query: QueryEvent
    requests: set[str] = field(default_factory=set)
    executions: int = 0
    db_ms: float = 0.0


def repeated_queries(
    recordings: list[Recording], skip: Collection[tuple[str, str]] = ()
) -> list[RepeatedQuery]:
    """SELECTs that several requests of one view ran identically, most DB time first: all of
    them (the reports list the first few; the JSON has every one).

    ``skip`` holds (view, fingerprint) pairs already reported as N+1 groups. Identity uses
    the parameters' keyed hash, which matches only within one process: a bench run sees every
    repeat; a multi-worker staging store sees the repeats within each worker.
    """
    seen: dict[tuple[str, str, str, int, int | None], _Seen] = {}
    for recording in recordings:
        size = recording.labels.get(labels.SIZE, "")
        for query in recording.queries:
            if not query.sql.startswith("SELECT") or query.params_hash is None:
                continue
            if (recording.view, query.fingerprint) in skip:
                continue
            key = (recording.view, size, query.fingerprint, query.params_hash, query.rows)
            entry = seen.setdefault(key, _Seen(query))
            entry.requests.add(recording.id)
            entry.executions += 1
            entry.db_ms += query.duration_ms
    merged: dict[tuple[str, str], list[_Seen]] = {}
    for (view, _size, fingerprint, _params, _rows), entry in seen.items():
        if len(entry.requests) >= 2:
            merged.setdefault((view, fingerprint), []).append(entry)
    found = [
        RepeatedQuery(
            view=view,
            fingerprint=fingerprint,
            sql=entries[0].query.sql,
            requests=len(set().union(*(e.requests for e in entries))),
            executions=sum(e.executions for e in entries),
            db_ms_total=sum(e.db_ms for e in entries),
            callsite=entries[0].query.callsite,
        )
        for (view, fingerprint), entries in merged.items()
    ]
    found.sort(key=lambda q: (-q.db_ms_total, q.view, q.fingerprint))
    return found
