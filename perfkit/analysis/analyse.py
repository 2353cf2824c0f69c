"""analyse(): recordings in, one Report out; conclude(): facts an engine gathered, in."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from perfkit import labels
from perfkit.analysis import caching, eager_loads, facts, n_plus_one, outbound, repeated, scaling
from perfkit.analysis.facts import Facts, FailedFacts, GroupFacts
from perfkit.analysis.fixes import Relation, django_relations
from perfkit.analysis.report import (
    CACHING_CANDIDATE,
    N_PLUS_ONE,
    N_PLUS_ONE_API,
    O_N_QUERIES,
    OUTBOUND_BOUND,
    REPEATED_LOOKUP,
    UNUSED_EAGER_LOAD,
    FailedView,
    PersonaResult,
    Report,
    ViewReport,
)
from perfkit.analysis.sqltables import tables
from perfkit.errors import one_line
from perfkit.recording import Recording


@dataclass(frozen=True)
class _How:
    """How every view of one analysis is analysed: the N+1 threshold, the project's
    relations and which views write each table."""

    threshold: int
    relations: dict[str, list[Relation]]
    writers: dict[str, set[str]]
    #: The SQL that loads the logged-in user (``caching.user_lookup``).
    user_lookup: re.Pattern[str]


def analyse(
    recordings: Iterable[Recording],
    *,
    source: str,
    threshold: int = n_plus_one.THRESHOLD,
    relations: dict[str, list[Relation]] | None = None,
    errors: Mapping[str, str] | None = None,
) -> Report:
    """Analyse measured recordings (warm-up requests are left out) into a Report."""
    return conclude(
        facts.from_recordings(recordings),
        source=source,
        threshold=threshold,
        relations=relations,
        errors=errors,
    )


def conclude(
    found: Facts,
    *,
    source: str,
    threshold: int = n_plus_one.THRESHOLD,
    relations: dict[str, list[Relation]] | None = None,
    errors: Mapping[str, str] | None = None,
) -> Report:
    """The Report of what an engine found in a store or a run.

    Only served requests are analysed; a view that answered otherwise is a FailedView, with
    the exception from ``errors`` (by bench target) when it answered 500. A view whose
    analysis fails is a skip with the reason: the other views are still reported.
    """
    relations = django_relations() if relations is None else relations
    how = _How(
        threshold,
        relations,
        caching.writers_by_table(found.statements_by_view),
        caching.user_lookup(),
    )
    by_view: dict[str, list[GroupFacts]] = defaultdict(list)
    for group in found.groups:
        by_view[group.view].append(group)
    views, skipped = [], []
    for view, groups in sorted(by_view.items()):
        try:
            views.append(_worst_persona(groups, how))
        except Exception as error:  # one view's odd records never cost the others their report
            skipped.append({"view": view, "reason": f"not analysed: {one_line(error)}"})
    for report in views:
        report.unused_eager_loads = eager_loads.unused(found.eager.get(report.view, ()))
        if report.unused_eager_loads:
            report.flags.append(UNUSED_EAGER_LOAD)
    candidates = sorted(
        (v.caching for v in views if v.caching is not None),
        key=lambda c: (-round(c.db_saved_ms, 6), -round(c.saved_ms, 6), c.view),
    )
    return Report(
        source=source,
        records=found.records,
        sizes=found.sizes,
        views=views,
        caching_candidates=candidates,
        repeated_queries=repeated.reported(
            found.repeated,
            {(v.view, g.fingerprint) for v in views for g in (*v.n_plus_one, *v.repeated_lookups)},
            {v.view for v in views},
        ),
        skipped=skipped,
        failed=[_failed(f, errors or {}) for f in found.failed],
    )


def _failed(found: FailedFacts, errors: Mapping[str, str]) -> FailedView:
    status, _count = Counter(found.statuses).most_common(1)[0]
    if status >= 500:
        error = next((errors[t] for t in found.targets if t in errors), None)
        verdict = f"answered {status}: {error}" if error else f"answered {status}"
    elif status < 400:
        verdict = (
            f"only redirects ({status})"
            if found.failed == found.requests
            else f"redirects ({status})"
        )
    elif status in (401, 403):
        verdict = f"refused ({status})"
    elif status == 404:
        verdict = "not found (404)"
    else:
        verdict = f"answered {status}"
    return FailedView(
        view=found.view,
        requests=found.requests,
        failed=found.failed,
        statuses={str(code): count for code, count in sorted(found.statuses.items())},
        verdict=verdict,
    )


def _worst_persona(groups: list[GroupFacts], how: _How) -> ViewReport:
    """The view's report as the persona whose queries grow the most; the others in brief.

    Worst means: an N+1 group first, then the steeper fit; of personas alike in both, the
    first requested (the least privileged). Requests without a persona label (a staging
    store) are one report.
    """
    reports = [_view_report(group, how) for group in groups]
    if [g.persona for g in groups] == [None]:
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


def _view_report(group: GroupFacts, how: _How) -> ViewReport:
    ordered = list(group.worst)
    worst = group.worst[ordered[-1]]
    groups = n_plus_one.groups(worst, how.relations, how.threshold)
    counts_by_size = [
        Counter(q.fingerprint for q in group.worst[size].queries)
        for size in ordered
        if size.isdigit()
    ]
    groups, repeated_lookups = n_plus_one.constant_repeats(groups, worst, counts_by_size)
    if group.warm_counts is not None:
        groups = n_plus_one.mark_cold_only(groups, group.warm_counts, how.threshold)
    calling = group.calling[ordered[-1]]
    calls = outbound.n_plus_one_calls(
        calling,
        {size: outbound.counts(group.calling[size]) for size in ordered if size.isdigit()},
        calling.labels.get(labels.SIZE, ""),
        how.threshold,
    )
    waiting = outbound.outbound_time(group.outbound)
    points = [(int(s.size), s.queries_max) for s in group.sizes if s.size.isdigit()]
    fit = scaling.fit(points, bool(groups))
    read: set[str] = set()
    written: set[str] = set()
    for sql in group.statements:
        query_read, query_written = tables(sql)
        read.update(query_read)
        written.update(query_written)
    grows = fit is not None and fit.verdict != scaling.CONSTANT
    candidate, _reason = caching.candidate(
        group.view,
        group.caching,
        sorted(read),
        how.writers,
        grows or bool(groups),
        caching.own_state_queries(group.statements, how.user_lookup),
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
    return ViewReport(
        view=group.view,
        url_name=group.url_name,
        route=group.route,
        view_path=group.view_path,
        methods=group.methods,
        sizes=group.sizes,
        fit=fit,
        n_plus_one=groups,
        caching=candidate,
        tables_read=sorted(read),
        tables_written=sorted(written),
        flags=flags,
        repeated_lookups=repeated_lookups,
        persona=group.persona,
        n_plus_one_calls=calls,
        outbound=waiting,
    )
