"""What the analysis needs to know of a store's recordings, gathered before it decides anything.

Two engines gather these facts: ``from_recordings`` from Recordings in memory (bench, and any
store read record by record), and perfkit/analysis/engine_duckdb.py with SQL over the store
itself. ``analyse.conclude`` turns them into the Report, so both engines reach the same
verdicts. Every choice between equal requests goes by (started_at, id), never by the order a
store happens to return them in.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from perfkit import labels
from perfkit.analysis import caching, outbound, repeated, stats
from perfkit.analysis.outbound import OutboundFigures
from perfkit.analysis.report import RepeatedQuery, SizeStats
from perfkit.quantiles import median
from perfkit.recording import EagerUse, Recording

ALL_SIZES = "all"


@dataclass
class CachingFacts:
    """A view's successful GETs with a body (as one persona): what ``caching.candidate`` weighs."""

    gets: int = 0
    sends_validators: bool = False
    handles_writes: bool = False
    body_repeats: int = 0
    result_repeats: int = 0
    wall_ms_mean: float = 0.0
    db_ms_mean: float = 0.0
    db_ms_median: float = 0.0
    queries_mean: float = 0.0
    authenticated: bool = False


@dataclass
class GroupFacts:
    """One view's served requests as one persona (None: requests without a persona label)."""

    view: str
    persona: str | None
    url_name: str | None
    route: str | None
    view_path: str | None
    methods: list[str]
    #: One per size, smallest first.
    sizes: list[SizeStats]
    #: The request with the most queries at each size (the earliest of equals), by size.
    worst: dict[str, Recording]
    #: When the worst request at the largest size ran on emptied caches and warm requests
    #: followed it: each statement's most executions in one of those warm requests.
    warm_counts: dict[str, int] | None
    #: The SQL of every statement the requests ran.
    statements: set[str]
    caching: CachingFacts
    #: The request with the most outbound HTTP calls at each size (the earliest of equals).
    calling: dict[str, Recording]
    #: The outbound calls of the requests at the largest size (None: they made none).
    outbound: OutboundFigures | None


@dataclass
class FailedFacts:
    """A view whose measured requests were not all served."""

    view: str
    requests: int
    failed: int
    #: Statuses of the requests that were not served.
    statuses: dict[int, int]
    #: Bench targets the view's requests came from (to find the exception of a 500).
    targets: list[str]


@dataclass
class Facts:
    """Everything ``conclude`` reads, for one store (or one bench run)."""

    records: int
    sizes: list[str]
    groups: list[GroupFacts]
    failed: list[FailedFacts]
    #: The SQL each view ran, served or not (who writes which table).
    statements_by_view: dict[str, set[str]]
    #: Every repeated query of a served request, before N+1 groups are taken out of them.
    repeated: list[RepeatedQuery] = field(default_factory=list)
    #: Per view, the eager-load tracking of its served requests (in memory only: bench and
    #: the pytest plugin track; stores keep none of it).
    eager: dict[str, list[EagerUse]] = field(default_factory=dict)


def size_order(size: str) -> tuple[int, int, str]:
    return (0, int(size), "") if size.isdigit() else (1, 0, size)


def order(recording: Recording) -> tuple[float, str]:
    """How equal requests are chosen between, whatever order a store returned them in."""
    return recording.started_at, recording.id


def served(recording: Recording) -> bool:
    """Answered as meant: a success, a 304, or the redirect that follows a write."""
    status = recording.status
    if status < 300 or status == 304:
        return True
    return status < 400 and recording.method not in ("GET", "HEAD")


def from_recordings(recordings: Iterable[Recording]) -> Facts:
    """The facts of Recordings in memory (warm-up requests are left out)."""
    measured = sorted((r for r in recordings if labels.measured(r.labels)), key=order)
    by_view: dict[str, list[Recording]] = defaultdict(list)
    statements_by_view: dict[str, set[str]] = defaultdict(set)
    for recording in measured:
        by_view[recording.view].append(recording)
        statements_by_view[recording.view].update(q.sql for q in recording.queries)
    groups: list[GroupFacts] = []
    failed: list[FailedFacts] = []
    for view, requests in sorted(by_view.items()):
        answered = [r for r in requests if served(r)]
        if len(answered) < len(requests):
            failed.append(_failed(view, requests, answered))
        by_persona: dict[str | None, list[Recording]] = defaultdict(list)
        for recording in answered:
            by_persona[recording.labels.get(labels.PERSONA)].append(recording)
        groups.extend(_group(view, persona, group) for persona, group in by_persona.items())
    return Facts(
        records=len(measured),
        sizes=sorted({_size(r) for r in measured}, key=size_order),
        groups=groups,
        failed=failed,
        statements_by_view=dict(statements_by_view),
        repeated=repeated.gathered([r for r in measured if served(r)]),
        eager=_eager(measured),
    )


def _eager(measured: list[Recording]) -> dict[str, list[EagerUse]]:
    found: dict[str, list[EagerUse]] = defaultdict(list)
    for recording in measured:
        if recording.eager is not None and served(recording):
            found[recording.view].append(recording.eager)
    return dict(found)


def _size(recording: Recording) -> str:
    return recording.labels.get(labels.SIZE) or ALL_SIZES


def _failed(view: str, requests: list[Recording], answered: list[Recording]) -> FailedFacts:
    return FailedFacts(
        view=view,
        requests=len(requests),
        failed=len(requests) - len(answered),
        statuses=dict(Counter(r.status for r in requests if not served(r))),
        targets=sorted({r.labels.get(labels.TARGET, "") for r in requests}),
    )


def _group(view: str, persona: str | None, group: list[Recording]) -> GroupFacts:
    by_size: dict[str, list[Recording]] = defaultdict(list)
    for recording in group:
        by_size[_size(recording)].append(recording)
    ordered = sorted(by_size, key=size_order)
    worst = {size: min(by_size[size], key=lambda r: -len(r.queries)) for size in ordered}
    calling = {size: min(by_size[size], key=lambda r: -len(r.http_calls)) for size in ordered}
    last = worst[ordered[-1]]
    warm = [r for r in by_size[ordered[-1]] if r.labels.get(labels.CACHE) == labels.WARM]
    warm_counts: dict[str, int] | None = None
    if warm and last.labels.get(labels.CACHE) == labels.COLD:
        warm_counts = {}
        for recording in warm:
            for fingerprint, n in Counter(q.fingerprint for q in recording.queries).items():
                warm_counts[fingerprint] = max(n, warm_counts.get(fingerprint, 0))
    first = group[0]
    return GroupFacts(
        view=view,
        persona=persona,
        url_name=first.url_name,
        route=first.route,
        view_path=first.view_path,
        methods=sorted({r.method for r in group}),
        sizes=[stats.size_stats(size, by_size[size]) for size in ordered],
        worst=worst,
        warm_counts=warm_counts,
        statements={q.sql for r in group for q in r.queries},
        caching=_caching(group),
        calling=calling,
        outbound=outbound.figures(by_size[ordered[-1]]),
    )


def _caching(group: list[Recording]) -> CachingFacts:
    gets = [r for r in group if r.method == "GET" and r.status == 200 and r.body_hash]
    if not gets:
        return CachingFacts(handles_writes=_writes(group))
    return CachingFacts(
        gets=len(gets),
        sends_validators=any(_validators(r) for r in gets),
        handles_writes=_writes(group),
        body_repeats=caching.repeated_requests(gets, caching.body),
        result_repeats=caching.repeated_requests(gets, caching.query_results),
        wall_ms_mean=statistics.fmean(r.wall_ms for r in gets),
        db_ms_mean=statistics.fmean(r.db_ms for r in gets),
        db_ms_median=median(r.db_ms for r in gets),
        queries_mean=statistics.fmean(len(r.queries) for r in gets),
        authenticated=any(r.authenticated for r in gets),
    )


def _validators(recording: Recording) -> bool:
    return recording.has_cache_control or recording.has_etag or recording.has_last_modified


def _writes(group: list[Recording]) -> bool:
    return any(r.method not in ("GET", "HEAD") for r in group)
