"""Per-view, per-data-size statistics of timing, queries, cache calls and responses."""

from __future__ import annotations

import statistics
from collections import Counter

from perfkit import labels
from perfkit.analysis.report import SizeStats
from perfkit.quantiles import median, percentile
from perfkit.recording import CACHE_READS as CACHE_READS
from perfkit.recording import CACHE_WRITES as CACHE_WRITES
from perfkit.recording import Recording


def size_stats(size: str, group: list[Recording]) -> SizeStats:
    """Summarise the recordings of one view at one data size."""
    walls = [r.wall_ms for r in group]
    cpus = [r.cpu_ms for r in group]
    queries = [len(r.queries) for r in group]
    gets = hits = sets = 0
    for recording in group:
        for op in recording.cache_ops:
            if op.op in CACHE_READS:
                gets += op.keys
                hits += op.hits
            elif op.op in CACHE_WRITES:
                sets += op.keys
    sizes = [r.response_bytes for r in group if r.response_bytes is not None]
    cold = [len(r.queries) for r in group if r.labels.get(labels.CACHE) == labels.COLD]
    warm = [len(r.queries) for r in group if r.labels.get(labels.CACHE) == labels.WARM]
    return SizeStats(
        size=size,
        requests=len(group),
        statuses={str(k): v for k, v in sorted(Counter(r.status for r in group).items())},
        wall_p50_ms=median(walls),
        wall_p95_ms=percentile(walls, 95),
        cpu_p50_ms=median(cpus),
        cpu_p95_ms=percentile(cpus, 95),
        queries_mean=statistics.fmean(queries),
        queries_max=max(queries),
        db_ms_mean=statistics.fmean(r.db_ms for r in group),
        cache_gets=gets,
        cache_hits=hits,
        cache_misses=gets - hits,
        cache_sets=sets,
        cache_hit_ratio=hits / gets if gets else None,
        bytes_mean=statistics.fmean(sizes) if sizes else None,
        page_cache_hits=sum(r.page_cache_hit for r in group),
        cold_queries=max(cold) if cold else None,
        warm_queries_mean=statistics.fmean(warm) if warm else None,
        http_calls_mean=statistics.fmean(len(r.http_calls) for r in group),
        http_ms_mean=statistics.fmean(r.http_ms for r in group),
    )
