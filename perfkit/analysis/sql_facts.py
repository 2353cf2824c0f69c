"""The analysis's facts from what an engine's SQL returns: one assembly for every engine.

An engine (DuckDB over a store, SQL inside PostgreSQL) answers the questions of ``Rows`` over
the measured requests, each as rows of the shapes below, with fingerprints as 16 hex digits;
``gather`` asks them in order, fetches the few requests the verdicts read in full, and builds
the Facts that ``facts.from_recordings`` builds from Recordings in memory.

- sizes: view, persona, size, requests, {status: n}, wall p50, p95, CPU p50, p95, queries
  mean, max, DB ms mean, cache gets, hits, sets, bytes mean, page-cache hits, cold queries
  max, warm queries mean, worst request's id, its cache label, the id of the request with the
  most outbound calls, most calls, calls mean, outbound ms mean, wall ms mean;
- groups: view, persona, first request's id, methods, (its start, id), handles writes, then
  over the successful GETs with a body: count, sends validators, repeated bodies, wall ms
  mean, DB ms mean, DB ms median, queries mean, authenticated;
- failed: view, requests, not served, {status: n} of those, bench targets;
- statements: view, persona, served, fingerprints;
- calls: view, persona, size, method, host, path pattern, outbound ms in all, latest call site.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any, Protocol

from perfkit import labels
from perfkit.analysis import outbound
from perfkit.analysis.facts import CachingFacts, Facts, FailedFacts, GroupFacts, size_order
from perfkit.analysis.report import RepeatedQuery, SizeStats
from perfkit.recording import Recording

#: (view, persona): a group of requests.
Group = tuple[str, "str | None"]


class Rows(Protocol):
    """What an engine answers over the measured requests (see the module's docstring)."""

    def counts(self) -> tuple[int, list[str]]:
        """How many measured requests, and their sizes."""

    def sizes(self) -> list[Any]: ...
    def groups(self) -> list[Any]: ...
    def failed(self) -> list[Any]: ...
    def statements(self) -> list[Any]: ...

    def first_in_view(self) -> dict[tuple[str, str], str]:
        """(view, fingerprint) → the id of the earliest served request of the view that ran it."""

    def first(self) -> dict[str, str]:
        """fingerprint → the id of the earliest request that ran it."""

    def warm(self, cold: list[tuple[str, str | None, str]]) -> list[Any]:
        """(view, persona, fingerprint, most executions in one warm request) of the groups at
        the (view, persona, size) given."""

    def calls(self) -> list[Any]: ...

    def result_repeats(self, selects: list[str]) -> list[Any]:
        """(view, persona, GETs whose SELECTs, ``selects``, returned what an earlier one's did)."""

    def repeated(self, selects: list[str]) -> list[Any]:
        """(view, fingerprint, requests, executions, DB ms) of repeated ``selects``."""

    def fetch(self, ids: Collection[str]) -> dict[str, Recording]:
        """The requests of ``ids``, whole."""


def gather(rows: Rows) -> Facts:
    records, sizes = rows.counts()
    size_rows = rows.sizes()
    group_rows = rows.groups()
    first_in_view = rows.first_in_view()
    first = rows.first()
    warm = _warm(rows, size_rows)
    wanted = {row[19] for row in size_rows} | {row[21] for row in size_rows}
    wanted |= {row[2] for row in group_rows}
    fetched = rows.fetch(wanted | set(first.values()) | set(first_in_view.values()))
    sql_of = {fp: _statement(fetched[rid], fp)[0] for fp, rid in first.items()}
    selects = sorted(fp for fp, sql in sql_of.items() if sql.startswith("SELECT"))
    result_repeats = {(view, persona): n for view, persona, n in rows.result_repeats(selects)}
    statements: dict[tuple[str, str | None, bool], set[str]] = {}
    by_view: dict[str, set[str]] = defaultdict(set)
    for view, persona, served, fps in rows.statements():
        found = {sql_of[fp] for fp in fps}
        statements[(view, persona, served)] = found
        by_view[view].update(found)
    by_group: dict[Group, list[Any]] = defaultdict(list)
    for row in size_rows:
        by_group[(row[0], row[1])].append(row)
    spent: dict[tuple[str, str | None, str], dict[outbound.Key, float]] = defaultdict(dict)
    sites: dict[tuple[str, str | None, str], dict[outbound.Key, str]] = defaultdict(dict)
    for view, persona, size, method, host, pattern, ms, site in rows.calls():
        spent[(view, persona, size)][(method, host, pattern)] = ms
        sites[(view, persona, size)][(method, host, pattern)] = site
    groups = []
    for row in sorted(group_rows, key=lambda g: (g[0], g[4])):
        view, persona = row[0], row[1]
        at_sizes = sorted(by_group[(view, persona)], key=lambda s: size_order(s[2]))
        earliest = fetched[row[2]]
        groups.append(
            GroupFacts(
                view=view,
                persona=persona,
                url_name=earliest.url_name,
                route=earliest.route,
                view_path=earliest.view_path,
                methods=list(row[3]),
                sizes=[_size_stats(s) for s in at_sizes],
                worst={s[2]: fetched[s[19]] for s in at_sizes},
                warm_counts=warm.get((view, persona)),
                statements=statements.get((view, persona, True), set()),
                caching=_caching(row, result_repeats.get((view, persona), 0)),
                calling={s[2]: fetched[s[21]] for s in at_sizes},
                outbound=_outbound(at_sizes[-1], spent, sites),
            )
        )
    return Facts(
        records=records,
        sizes=sorted(sizes, key=size_order),
        groups=groups,
        failed=[
            FailedFacts(
                view=view, requests=n, failed=failed, statuses=dict(statuses), targets=targets
            )
            for view, n, failed, statuses, targets in sorted(rows.failed())
        ],
        statements_by_view=dict(by_view),
        repeated=[
            RepeatedQuery(
                view=view,
                fingerprint=fp,
                sql=sql_of[fp],
                requests=requests,
                executions=executions,
                db_ms_total=db_ms,
                callsite=_statement(fetched[first_in_view[(view, fp)]], fp)[1],
            )
            for view, fp, requests, executions, db_ms in rows.repeated(selects)
        ],
    )


def _outbound(
    row: Any,
    spent: dict[tuple[str, str | None, str], dict[outbound.Key, float]],
    sites: dict[tuple[str, str | None, str], dict[outbound.Key, str]],
) -> outbound.OutboundFigures | None:
    """The outbound figures of a group at its largest size (``row``), if it made calls."""
    if not row[22]:
        return None
    return outbound.OutboundFigures(
        requests=row[3],
        calls_mean=float(row[23]),
        http_ms_mean=float(row[24]),
        wall_ms_mean=float(row[25]),
        spent=spent[row[:3]],
        sites=sites[row[:3]],
    )


def _warm(rows: Rows, size_rows: list[Any]) -> dict[Group, dict[str, int]]:
    """Warm counts of the groups whose worst request at their largest size ran cold, with
    warm requests beside it."""
    last: dict[Group, Any] = {}
    for row in size_rows:
        key = (row[0], row[1])
        if key not in last or size_order(row[2]) > size_order(last[key][2]):
            last[key] = row
    cold = [row[:3] for row in last.values() if row[20] == labels.COLD and row[18] is not None]
    if not cold:
        return {}
    found: dict[Group, dict[str, int]] = {(c[0], c[1]): {} for c in cold}
    for view, persona, fingerprint, n in rows.warm(cold):
        found[(view, persona)][fingerprint] = n
    return found


def _statement(recording: Recording, fingerprint: str) -> tuple[str, str]:
    """The SQL and call site of a statement the recording ran."""
    query = next(q for q in recording.queries if q.fingerprint == fingerprint)
    return query.sql, query.callsite


def _size_stats(row: Any) -> SizeStats:
    gets, hits = int(row[12]), int(row[13])
    return SizeStats(
        size=row[2],
        requests=row[3],
        statuses={str(k): v for k, v in sorted(row[4].items())},
        wall_p50_ms=row[5],
        wall_p95_ms=row[6],
        cpu_p50_ms=row[7],
        cpu_p95_ms=row[8],
        queries_mean=float(row[9]),
        queries_max=row[10],
        db_ms_mean=float(row[11]),
        cache_gets=gets,
        cache_hits=hits,
        cache_misses=gets - hits,
        cache_sets=int(row[14]),
        cache_hit_ratio=hits / gets if gets else None,
        bytes_mean=None if row[15] is None else float(row[15]),
        page_cache_hits=int(row[16]),
        cold_queries=row[17],
        warm_queries_mean=None if row[18] is None else float(row[18]),
        http_calls_mean=float(row[23]),
        http_ms_mean=float(row[24]),
    )


def _caching(row: Any, result_repeats: int) -> CachingFacts:
    gets = row[6]
    if not gets:
        return CachingFacts(handles_writes=row[5])
    return CachingFacts(
        gets=gets,
        sends_validators=row[7],
        handles_writes=row[5],
        body_repeats=row[8],
        result_repeats=result_repeats,
        wall_ms_mean=float(row[9]),
        db_ms_mean=float(row[10]),
        db_ms_median=float(row[11]),
        queries_mean=float(row[12]),
        authenticated=row[13],
    )
