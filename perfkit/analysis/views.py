"""Per-view statistics, N+1 groups and the query-count fit across data sizes."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from perfkit.recording import Recording

N_PLUS_ONE_THRESHOLD = 5


@dataclass
class NPlusOne:
    """One fingerprint repeated within a single request."""

    fingerprint: str
    sql: str
    count: int
    callsite: str


@dataclass
class ViewStats:
    """One view at one data size."""

    view: str
    size: str
    requests: int
    wall_p50_ms: float
    wall_p95_ms: float
    cpu_p50_ms: float
    queries_mean: float
    queries_max: int
    db_ms_mean: float
    cache_hits: int
    cache_misses: int
    n_plus_one: list[NPlusOne] = field(default_factory=list)


@dataclass
class Scaling:
    """Queries ≈ intercept + slope · n across data sizes."""

    view: str
    intercept: float
    slope: float

    @property
    def is_linear(self) -> bool:
        return self.slope > 0.01

    def formula(self) -> str:
        if not self.is_linear:
            return f"queries ≈ {self.intercept:g}"
        return f"queries ≈ {round(self.intercept, 2):g} + {round(self.slope, 2):g}·n"


def n_plus_one_groups(
    recording: Recording, threshold: int = N_PLUS_ONE_THRESHOLD
) -> list[NPlusOne]:
    """Fingerprints executed at least ``threshold`` times in one request, most first."""
    counts = Counter(q.fingerprint for q in recording.queries)
    first = {}
    for query in recording.queries:
        first.setdefault(query.fingerprint, query)
    return [
        NPlusOne(fp, first[fp].sql, n, first[fp].callsite)
        for fp, n in counts.most_common()
        if n >= threshold
    ]


def _percentile(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def per_view(recordings: Iterable[Recording], size_label: str = "size") -> list[ViewStats]:
    """Group recordings by (view, data size) and summarise each group."""
    groups: dict[tuple[str, str], list[Recording]] = defaultdict(list)
    for recording in recordings:
        groups[(recording.view, recording.labels.get(size_label, ""))].append(recording)
    result = []
    for (view, size), group in groups.items():
        walls = [r.wall_ms for r in group]
        queries = [len(r.queries) for r in group]
        worst = max(group, key=lambda r: len(r.queries))
        result.append(
            ViewStats(
                view=view,
                size=size,
                requests=len(group),
                wall_p50_ms=statistics.median(walls),
                wall_p95_ms=_percentile(walls, 95),
                cpu_p50_ms=statistics.median(r.cpu_ms for r in group),
                queries_mean=statistics.fmean(queries),
                queries_max=max(queries),
                db_ms_mean=statistics.fmean(r.db_ms for r in group),
                cache_hits=sum(r.cache_hits for r in group),
                cache_misses=sum(r.cache_misses for r in group),
                n_plus_one=n_plus_one_groups(worst),
            )
        )
    return sorted(result, key=lambda s: (s.view, _size_key(s.size)))


def _size_key(size: str) -> tuple[int, str]:
    return (int(size), "") if size.isdigit() else (0, size)


def scaling(stats: Iterable[ViewStats]) -> dict[str, Scaling]:
    """Least-squares fit of the worst query count against data size, per view."""
    points: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for s in stats:
        if s.size.isdigit():
            points[s.view].append((int(s.size), s.queries_max))
    fits = {}
    for view, pairs in points.items():
        sizes = [p[0] for p in pairs]
        if len(set(sizes)) < 2:
            continue
        slope, intercept = statistics.linear_regression(sizes, [p[1] for p in pairs])
        fits[view] = Scaling(view, round(intercept, 6), round(slope, 6))
    return fits
