"""analyse(): recordings in, one Report out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from perfkit.analysis import caching, n_plus_one, scaling, stats
from perfkit.analysis.fixes import Relation, django_relations
from perfkit.analysis.model import (
    CACHING_CANDIDATE,
    N_PLUS_ONE,
    O_N_QUERIES,
    Report,
    ViewReport,
)
from perfkit.analysis.repeated import repeated_queries
from perfkit.analysis.sqltables import tables
from perfkit.recording import Recording

ALL_SIZES = "all"


def _size_order(size: str) -> tuple[int, int, str]:
    return (0, int(size), "") if size.isdigit() else (1, 0, size)


def analyse(
    recordings: Iterable[Recording],
    *,
    source: str,
    size_label: str = "size",
    threshold: int = n_plus_one.THRESHOLD,
    relations: dict[str, list[Relation]] | None = None,
) -> Report:
    """Analyse measured recordings (warm-up requests are left out) into a Report."""
    measured = [r for r in recordings if r.labels.get("phase", "measure") == "measure"]
    relations = django_relations() if relations is None else relations
    writers = caching.writers_by_table(measured)
    by_view: dict[str, list[Recording]] = defaultdict(list)
    for recording in measured:
        by_view[recording.view].append(recording)
    views = [
        _view_report(view, group, size_label, threshold, relations, writers)
        for view, group in sorted(by_view.items())
    ]
    candidates = sorted(
        (v.caching for v in views if v.caching is not None),
        key=lambda c: (-c.db_saved_ms, -c.saved_ms, c.view),
    )
    sizes = sorted({r.labels.get(size_label) or ALL_SIZES for r in measured}, key=_size_order)
    return Report(
        source=source,
        records=len(measured),
        sizes=sizes,
        views=views,
        caching_candidates=candidates,
        repeated_queries=repeated_queries(
            measured, {(v.view, g.fingerprint) for v in views for g in v.n_plus_one}
        ),
    )


def _view_report(
    view: str,
    group: list[Recording],
    size_label: str,
    threshold: int,
    relations: dict[str, list[Relation]],
    writers: dict[str, set[str]],
) -> ViewReport:
    by_size: dict[str, list[Recording]] = defaultdict(list)
    for recording in group:
        by_size[recording.labels.get(size_label) or ALL_SIZES].append(recording)
    ordered = sorted(by_size, key=_size_order)
    size_stats = [stats.size_stats(size, by_size[size]) for size in ordered]
    worst = max(by_size[ordered[-1]], key=lambda r: len(r.queries))
    groups = n_plus_one.groups(worst, relations, threshold)
    points = [(int(s.size), s.queries_max) for s in size_stats if s.size.isdigit()]
    fit = scaling.fit(points, bool(groups))
    read: set[str] = set()
    written: set[str] = set()
    for sql in {query.sql for recording in group for query in recording.queries}:
        query_read, query_written = tables(sql)
        read.update(query_read)
        written.update(query_written)
    grows = fit is not None and fit.verdict != scaling.CONSTANT
    candidate, _reason = caching.candidate(
        view, group, sorted(read), writers, grows or bool(groups)
    )
    flags = []
    if grows:
        flags.append(O_N_QUERIES)
    if groups:
        flags.append(N_PLUS_ONE)
    if candidate is not None:
        flags.append(CACHING_CANDIDATE)
    first = group[0]
    return ViewReport(
        view=view,
        url_name=first.url_name,
        route=first.route,
        view_path=first.view_path,
        methods=sorted({r.method for r in group}),
        sizes=size_stats,
        fit=fit,
        n_plus_one=groups,
        caching=candidate,
        tables_read=sorted(read),
        tables_written=sorted(written),
        flags=flags,
    )
