"""analyse(): recordings in, one Report out."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from perfkit import labels
from perfkit.analysis import caching, n_plus_one, outbound, scaling, stats
from perfkit.analysis.fixes import Relation, django_relations
from perfkit.analysis.repeated import repeated_queries
from perfkit.analysis.report import (
    CACHING_CANDIDATE,
    N_PLUS_ONE,
    N_PLUS_ONE_API,
    O_N_QUERIES,
    OUTBOUND_BOUND,
    REPEATED_LOOKUP,
    FailedView,
    PersonaResult,
    Report,
    ViewReport,
)
from perfkit.analysis.sqltables import tables
from perfkit.errors import one_line
from perfkit.recording import Recording

ALL_SIZES = "all"


@dataclass(frozen=True)
class _How:
    """How every view of one analysis is analysed: the N+1 threshold, the project's
    relations and which views write each table."""

    threshold: int
    relations: dict[str, list[Relation]]
    writers: dict[str, set[str]]


def _size_order(size: str) -> tuple[int, int, str]:
    return (0, int(size), "") if size.isdigit() else (1, 0, size)


def analyse(
    recordings: Iterable[Recording],
    *,
    source: str,
    threshold: int = n_plus_one.THRESHOLD,
    relations: dict[str, list[Relation]] | None = None,
    errors: Mapping[str, str] | None = None,
) -> Report:
    """Analyse measured recordings (warm-up requests are left out) into a Report.

    Only served requests are analysed; a view that answered otherwise is a FailedView, with
    the exception from ``errors`` (by bench target) when it answered 500. A view whose
    analysis fails is a skip with the reason: the other views are still reported.
    """
    measured = [r for r in recordings if labels.measured(r.labels)]
    relations = django_relations() if relations is None else relations
    how = _How(threshold, relations, caching.writers_by_table(measured))
    by_view: dict[str, list[Recording]] = defaultdict(list)
    for recording in measured:
        by_view[recording.view].append(recording)
    views, failed, skipped = [], [], []
    for view, group in sorted(by_view.items()):
        answered = [r for r in group if served(r)]
        if len(answered) < len(group):
            failed.append(_failed(view, group, len(group) - len(answered), errors or {}))
        if not answered:
            continue
        try:
            views.append(_worst_persona(view, answered, how))
        except Exception as error:  # one view's odd records never cost the others their report
            skipped.append({"view": view, "reason": f"not analysed: {one_line(error)}"})
    candidates = sorted(
        (v.caching for v in views if v.caching is not None),
        key=lambda c: (-c.db_saved_ms, -c.saved_ms, c.view),
    )
    sizes = sorted({r.labels.get(labels.SIZE) or ALL_SIZES for r in measured}, key=_size_order)
    analysed = {v.view for v in views}
    return Report(
        source=source,
        records=len(measured),
        sizes=sizes,
        views=views,
        caching_candidates=candidates,
        repeated_queries=repeated_queries(
            [r for r in measured if r.view in analysed and served(r)],
            {(v.view, g.fingerprint) for v in views for g in (*v.n_plus_one, *v.repeated_lookups)},
        ),
        skipped=skipped,
        failed=failed,
    )


def served(recording: Recording) -> bool:
    """Answered as meant: a success, a 304, or the redirect that follows a write."""
    status = recording.status
    if status < 300 or status == 304:
        return True
    return status < 400 and recording.method not in ("GET", "HEAD")


def _failed(
    view: str, group: list[Recording], failed: int, errors: Mapping[str, str]
) -> FailedView:
    statuses = Counter(r.status for r in group if not served(r))
    status, _count = statuses.most_common(1)[0]
    if status >= 500:
        targets = sorted({r.labels.get(labels.TARGET, "") for r in group})
        error = next((errors[t] for t in targets if t in errors), None)
        verdict = f"answered {status}: {error}" if error else f"answered {status}"
    elif status < 400:
        verdict = f"only redirects ({status})" if failed == len(group) else f"redirects ({status})"
    elif status in (401, 403):
        verdict = f"refused ({status})"
    elif status == 404:
        verdict = "not found (404)"
    else:
        verdict = f"answered {status}"
    return FailedView(
        view=view,
        requests=len(group),
        failed=failed,
        statuses={str(code): count for code, count in sorted(statuses.items())},
        verdict=verdict,
    )


def _worst_persona(view: str, group: list[Recording], how: _How) -> ViewReport:
    """The view's report as the persona whose queries grow the most; the others in brief.

    Worst means: an N+1 group first, then the steeper fit; of personas alike in both, the
    first requested (the least privileged). Requests without a persona label (a staging
    store) are one report.
    """
    by_persona: dict[str | None, list[Recording]] = defaultdict(list)
    for recording in group:
        by_persona[recording.labels.get(labels.PERSONA)].append(recording)
    reports = [_view_report(view, requests, how) for requests in by_persona.values()]
    for report, persona in zip(reports, by_persona, strict=True):
        report.persona = persona
    if list(by_persona) == [None]:
        return reports[0]
    reports.sort(key=_growth, reverse=True)
    shown = reports[0]
    shown.personas = [_in_brief(report) for report in reports]
    return shown


def _growth(report: ViewReport) -> tuple[bool, float, bool]:
    slope = report.fit.slope if report.fit is not None else 0.0
    return bool(report.n_plus_one), round(slope, 6), bool(report.n_plus_one_calls)


def _in_brief(report: ViewReport) -> PersonaResult:
    fit = report.fit
    return PersonaResult(
        persona=report.persona or "",
        flags=report.flags,
        verdict=fit.verdict if fit is not None else None,
        formula=fit.formula() if fit is not None else None,
        queries_max=report.sizes[-1].queries_max,
        n_plus_one=len(report.n_plus_one),
        n_plus_one_calls=len(report.n_plus_one_calls),
    )


def _view_report(view: str, group: list[Recording], how: _How) -> ViewReport:
    by_size: dict[str, list[Recording]] = defaultdict(list)
    for recording in group:
        by_size[recording.labels.get(labels.SIZE) or ALL_SIZES].append(recording)
    ordered = sorted(by_size, key=_size_order)
    size_stats = [stats.size_stats(size, by_size[size]) for size in ordered]
    worst = max(by_size[ordered[-1]], key=lambda r: len(r.queries))
    groups = n_plus_one.groups(worst, how.relations, how.threshold)
    counts_by_size = [
        Counter(q.fingerprint for q in max(by_size[size], key=lambda r: len(r.queries)).queries)
        for size in ordered
        if size.isdigit()
    ]
    groups, repeated_lookups = n_plus_one.constant_repeats(groups, worst, counts_by_size)
    if worst.labels.get(labels.CACHE) == labels.COLD:
        warm = [r for r in by_size[ordered[-1]] if r.labels.get(labels.CACHE) == labels.WARM]
        groups = n_plus_one.mark_cold_only(groups, warm, how.threshold)
    largest = by_size[ordered[-1]]
    calling = max(largest, key=lambda r: len(r.http_calls))
    calls = outbound.n_plus_one_calls(
        calling,
        {
            size: outbound.counts(max(by_size[size], key=lambda r: len(r.http_calls)))
            for size in ordered
            if size.isdigit()
        },
        calling.labels.get(labels.SIZE, ""),
        how.threshold,
    )
    waiting = outbound.outbound_time(largest)
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
        view, group, sorted(read), how.writers, grows or bool(groups)
    )
    flags = []
    if grows:
        flags.append(O_N_QUERIES)
    if groups:
        flags.append(N_PLUS_ONE)
    if candidate is not None:
        flags.append(CACHING_CANDIDATE)
    if repeated_lookups:
        flags.append(REPEATED_LOOKUP)
    if calls:
        flags.append(N_PLUS_ONE_API)
    if waiting is not None:
        flags.append(OUTBOUND_BOUND)
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
        repeated_lookups=repeated_lookups,
        n_plus_one_calls=calls,
        outbound=waiting,
    )
