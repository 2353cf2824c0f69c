"""The analysis's facts gathered by DuckDB over a store, in bounded memory.

One pass over the store keeps a compact table of the measured requests (numbers, labels and
per query its fingerprint, time, rows and parameters' hash); the per-view, per-size figures,
failed views, repeated queries and caching figures are SQL over it. Only the few requests
the verdicts read in full (each size's worst request, warm requests beside a cold one, one
request per statement for its SQL and call site) are then fetched as Recordings. The facts
equal ``facts.from_recordings`` on the same records; ``analyse.conclude`` decides the rest.
"""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from perfkit import labels
from perfkit.analysis import stats
from perfkit.analysis.facts import (
    ALL_SIZES,
    CachingFacts,
    Facts,
    FailedFacts,
    GroupFacts,
    size_order,
)
from perfkit.analysis.report import RepeatedQuery, SizeStats
from perfkit.recording import Recording
from perfkit.store.duckdb_sources import (
    PARQUET,
    SCALARS,
    connect,
    lines,
    recordings,
    requests,
    scheme,
)
from perfkit.store.records import as_recording, stored_recording

_READS = ", ".join(f"'{op}'" for op in stats.CACHE_READS)
_WRITES = ", ".join(f"'{op}'" for op in stats.CACHE_WRITES)

#: One row per measured request: what every figure is computed from.
_REQUESTS = f"""
CREATE TEMP TABLE r AS
SELECT
    id, started_at, view, method, status, wall_ms, cpu_ms, response_bytes, page_cache_hit,
    body_hash, authenticated, validators,
    coalesce(nullif(labels['{labels.SIZE}'], ''), '{ALL_SIZES}') AS size,
    coalesce(labels['{labels.SIZE}'], '') AS size_label,
    labels['{labels.PERSONA}'] AS persona,
    labels['{labels.CACHE}'] AS cache,
    coalesce(labels['{labels.TARGET}'], '') AS target,
    status < 300 OR status = 304 OR (status < 400 AND method NOT IN ('GET', 'HEAD')) AS served,
    len(q) AS nq,
    coalesce(list_sum(list_transform(q, lambda x: x.us)), 0) AS db_us,
    coalesce(list_sum(list_transform(c, lambda x:
        CASE WHEN x.op IN ({_READS}) THEN x.keys ELSE 0 END)), 0) AS gets,
    coalesce(list_sum(list_transform(c, lambda x:
        CASE WHEN x.op IN ({_READS}) THEN x.hits ELSE 0 END)), 0) AS hits,
    coalesce(list_sum(list_transform(c, lambda x:
        CASE WHEN x.op IN ({_WRITES}) THEN x.keys ELSE 0 END)), 0) AS sets,
    q
FROM {{source}}
WHERE coalesce(labels['{labels.PHASE}'], '{labels.MEASURE}') = '{labels.MEASURE}' {{where}}
"""

_SIZES = """
SELECT view, persona, size, count(*), histogram(status),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms),
    percentile_cont(0.95) WITHIN GROUP (ORDER BY wall_ms),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_ms),
    percentile_cont(0.95) WITHIN GROUP (ORDER BY cpu_ms),
    avg(nq), max(nq), avg(db_us) / 1000.0, sum(gets), sum(hits), sum(sets),
    avg(response_bytes), sum(page_cache_hit::INTEGER),
    max(nq) FILTER (WHERE cache = 'cold'), avg(nq) FILTER (WHERE cache = 'warm'),
    arg_min(id, {'n': -nq, 't': started_at, 'id': id}),
    arg_min(cache, {'n': -nq, 't': started_at, 'id': id})
FROM r WHERE served GROUP BY ALL
"""

#: A successful GET with a body: what a cache could have answered.
_GET = "method = 'GET' AND status = 200 AND coalesce(body_hash, '') <> ''"

_GROUPS = f"""
SELECT view, persona,
    arg_min(id, {{'t': started_at, 'id': id}}),
    list_sort(list(DISTINCT method)),
    min({{'t': started_at, 'id': id}}),
    bool_or(method NOT IN ('GET', 'HEAD')),
    count(*) FILTER (WHERE {_GET}),
    coalesce(bool_or(validators) FILTER (WHERE {_GET}), false),
    count(*) FILTER (WHERE {_GET})
        - count(DISTINCT {{'s': size_label, 'b': body_hash}}) FILTER (WHERE {_GET}),
    avg(wall_ms) FILTER (WHERE {_GET}),
    avg(db_us) FILTER (WHERE {_GET}) / 1000.0,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY db_us) FILTER (WHERE {_GET}) / 1000.0,
    avg(nq) FILTER (WHERE {_GET}),
    coalesce(bool_or(authenticated) FILTER (WHERE {_GET}), false)
FROM r WHERE served GROUP BY ALL
"""

#: Requests whose SELECTs (fingerprints in $1) returned what an earlier GET's did
#: (caching.query_results): a request with an unhashed parameter never equals another.
_RESULT_REPEATS = f"""
WITH k AS (
    SELECT h, view, persona, size_label,
        list_sort(list(hash(x.fp, x.ph, coalesce(x.rows, 0)))) AS key,
        bool_or(x.ph IS NULL) AS unhashed
    FROM (SELECT hash(id) AS h, view, persona, size_label, unnest(q) AS x FROM r
          WHERE served AND {_GET})
    WHERE list_contains($1, x.fp)
    GROUP BY ALL
)
SELECT view, persona, count(*) - count(DISTINCT {{'s': size_label, 'k': key}})
FROM k WHERE NOT unhashed GROUP BY ALL
"""

_FAILED = """
SELECT view, count(*), count(*) FILTER (WHERE NOT served),
    histogram(status) FILTER (WHERE NOT served), list_sort(list(DISTINCT target))
FROM r GROUP BY view HAVING count(*) FILTER (WHERE NOT served) > 0
"""

#: Every query of every measured request, with its request's keys. ``h`` stands for the id
#: where requests are only told apart (counted, grouped): a 64-bit hash compares at twice
#: the speed of 32 characters, and two of a million ids share one with odds of 3 in 10^8.
_QUERIES = (
    "(SELECT id, hash(id) AS h, started_at, view, persona, served, size_label, unnest(q) AS x"
    " FROM r)"
)

#: Who ran which statement, and the earliest request of each view that ran it (served ones
#: first): its SQL and call site are fetched from there.
_STATEMENTS = f"""
SELECT view, persona, served, list(DISTINCT x.fp) FROM {_QUERIES} GROUP BY ALL
"""
_FIRST_IN_VIEW = f"""
SELECT view, x.fp, arg_min(id, {{'t': started_at, 'id': id}})
FROM {_QUERIES} WHERE served GROUP BY ALL
"""
_FIRST = f"SELECT x.fp, arg_min(id, {{'t': started_at, 'id': id}}) FROM {_QUERIES} GROUP BY ALL"

#: SELECTs (fingerprints in $1) that two requests of a view ran with the same parameters
#: and row count at one size, merged per view and statement.
_REPEATED = f"""
WITH e AS (
    SELECT h, view, size_label, x.fp AS fp, x.ph AS ph, coalesce(x.rows, -1) AS rows,
        x.us AS us
    FROM {_QUERIES} WHERE served AND x.ph IS NOT NULL AND list_contains($1, x.fp)
), k AS (
    SELECT view, size_label, fp, ph, rows FROM e GROUP BY ALL HAVING count(DISTINCT h) >= 2
)
SELECT e.view, e.fp, count(DISTINCT e.h), count(*), sum(e.us) / 1000.0
FROM e SEMI JOIN k
    ON e.view = k.view AND e.size_label = k.size_label AND e.fp = k.fp AND e.ph = k.ph
    AND e.rows = k.rows
GROUP BY e.view, e.fp
"""

#: Each statement's most executions in one warm request of the groups ``match`` picks.
_WARM = """
SELECT view, persona, fp, max(n) FROM (
    SELECT h, view, persona, x.fp AS fp, count(*) AS n
    FROM (SELECT hash(id) AS h, view, persona, unnest(q) AS x FROM r
          WHERE served AND cache = 'warm' AND {match})
    GROUP BY ALL
) GROUP BY ALL
"""


def gather(url: str, since: float | None = None, views: list[str] | None = None) -> Facts:
    """The facts of the recordings in the local store at ``url`` (see duckdb_sources)."""
    with connect() as con:
        where, args = _filters(since)
        with requests(url, since) as source:
            con.execute(_REQUESTS.format(source=source, where=where), args)
        if views:
            _keep_views(con, views)
        found = _facts(con)
        fetched = _fetch(con, url, since, found.wanted)
        return _assemble(con, found, fetched)


def _filters(since: float | None) -> tuple[str, list[Any]]:
    if since is None:
        return "", []
    return "AND started_at >= ?", [since]


def _keep_views(con: Any, views: list[str]) -> None:
    names = [row[0] for row in con.execute("SELECT DISTINCT view FROM r").fetchall()]
    kept = [n for n in names if any(fnmatch.fnmatchcase(n, v) for v in views)]
    con.execute("DELETE FROM r WHERE NOT list_contains(?, view)", [kept])


@dataclass
class _Found:
    """What the SQL over the requests table returned, before any request is fetched."""

    records: int
    sizes: list[str]
    size_rows: list[Any]
    group_rows: list[Any]
    failed_rows: list[Any]
    statement_rows: list[Any]
    first_in_view: dict[tuple[str, int], str]
    first: dict[int, str]
    warm: dict[tuple[str, str | None], dict[str, int]]
    wanted: set[str] = field(default_factory=set)


def _facts(con: Any) -> _Found:
    records, sizes = con.execute("SELECT count(*), list(DISTINCT size) FROM r").fetchone()
    size_rows = con.execute(_SIZES).fetchall()
    found = _Found(
        records=records,
        sizes=sorted(sizes or [], key=size_order),
        size_rows=size_rows,
        group_rows=con.execute(_GROUPS).fetchall(),
        failed_rows=con.execute(_FAILED).fetchall(),
        statement_rows=con.execute(_STATEMENTS).fetchall(),
        first_in_view={(v, fp): i for v, fp, i in con.execute(_FIRST_IN_VIEW).fetchall()},
        first=dict(con.execute(_FIRST).fetchall()),
        warm=_warm(con, size_rows),
    )
    found.wanted = {row[19] for row in size_rows} | {row[2] for row in found.group_rows}
    found.wanted.update(found.first.values(), found.first_in_view.values())
    return found


def _warm(con: Any, size_rows: list[Any]) -> dict[tuple[str, str | None], dict[str, int]]:
    """Warm counts of the groups whose worst request at the largest size ran cold."""
    last: dict[tuple[str, str | None], Any] = {}
    for row in size_rows:
        key = (row[0], row[1])
        if key not in last or size_order(row[2]) > size_order(last[key][2]):
            last[key] = row
    cold = [row[:3] for row in last.values() if row[20] == labels.COLD and row[18] is not None]
    if not cold:
        return {}
    match = " OR ".join("(view = ? AND persona IS NOT DISTINCT FROM ? AND size = ?)" for _ in cold)
    rows = con.execute(_WARM.format(match=f"({match})"), [v for c in cold for v in c]).fetchall()
    found: dict[tuple[str, str | None], dict[str, int]] = {(c[0], c[1]): {} for c in cold}
    for view, persona, fingerprint, n in rows:
        found[(view, persona)][_hex(fingerprint)] = n
    return found


def _fetch(con: Any, url: str, since: float | None, wanted: set[str]) -> dict[str, Recording]:
    """The wanted requests, whole, as the store's reader gives them."""
    if scheme(url) != PARQUET:
        with lines(url, since) as source:
            rows = con.execute(
                f"SELECT json FROM {source} WHERE list_contains(?, json->>'id')", [sorted(wanted)]
            ).fetchall()
        found = (stored_recording(url, "a fetched record", row[0]) for row in rows)
        return {recording.id: recording for recording in found}
    columns = ", ".join(SCALARS)
    with recordings(url, since) as source:
        rows = con.execute(
            f"SELECT {columns}, labels, statements, queries, cache_ops FROM {source}"
            " WHERE list_contains(?, id)",
            [sorted(wanted)],
        ).fetchall()
    fetched = {}
    for row in rows:
        record = dict(zip(SCALARS, row, strict=False))
        extra = row[len(SCALARS) :]
        record["labels"] = dict(extra[0] or {})
        record["statements"] = {fp: list(pair) for fp, pair in (extra[1] or {}).items()}
        record["queries"] = [list(q.values()) for q in extra[2] or []]
        record["cache_ops"] = [list(c.values()) for c in extra[3] or []]
        fetched[record["id"]] = as_recording(url, record)
    return fetched


def _hex(fingerprint: int) -> str:
    return f"{fingerprint:016x}"


def _assemble(con: Any, found: _Found, fetched: dict[str, Recording]) -> Facts:
    sql_of = {_hex(fp): _statement(fetched[rid], _hex(fp))[0] for fp, rid in found.first.items()}
    selects = [fp for fp in found.first if sql_of[_hex(fp)].startswith("SELECT")]
    result_repeats = {
        (view, persona): n
        for view, persona, n in con.execute(_RESULT_REPEATS, [selects]).fetchall()
    }
    statements: dict[tuple[str, str | None, bool], set[str]] = {}
    by_view: dict[str, set[str]] = defaultdict(set)
    for view, persona, served, fps in found.statement_rows:
        sqls = {sql_of[_hex(fp)] for fp in fps}
        statements[(view, persona, served)] = sqls
        by_view[view].update(sqls)
    sizes: dict[tuple[str, str | None], list[Any]] = defaultdict(list)
    for row in found.size_rows:
        sizes[(row[0], row[1])].append(row)
    groups = []
    for row in sorted(found.group_rows, key=lambda g: (g[0], g[4]["t"], g[4]["id"])):
        view, persona = row[0], row[1]
        rows = sorted(sizes[(view, persona)], key=lambda s: size_order(s[2]))
        first = fetched[row[2]]
        groups.append(
            GroupFacts(
                view=view,
                persona=persona,
                url_name=first.url_name,
                route=first.route,
                view_path=first.view_path,
                methods=list(row[3]),
                sizes=[_size_stats(s) for s in rows],
                worst={s[2]: fetched[s[19]] for s in rows},
                warm_counts=found.warm.get((view, persona)),
                statements=statements.get((view, persona, True), set()),
                caching=_caching(row, result_repeats.get((view, persona), 0)),
            )
        )
    repeated = [
        RepeatedQuery(
            view=view,
            fingerprint=_hex(fp),
            sql=sql_of[_hex(fp)],
            requests=requests,
            executions=executions,
            db_ms_total=db_ms,
            callsite=_statement(fetched[found.first_in_view[(view, fp)]], _hex(fp))[1],
        )
        for view, fp, requests, executions, db_ms in con.execute(_REPEATED, [selects]).fetchall()
    ]
    return Facts(
        records=found.records,
        sizes=found.sizes,
        groups=groups,
        failed=[
            FailedFacts(
                view=view,
                requests=requests,
                failed=failed,
                statuses=dict(statuses),
                targets=list(targets),
            )
            for view, requests, failed, statuses, targets in sorted(found.failed_rows)
        ],
        statements_by_view=dict(by_view),
        repeated=repeated,
    )


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
        queries_mean=row[9],
        queries_max=row[10],
        db_ms_mean=row[11],
        cache_gets=gets,
        cache_hits=hits,
        cache_misses=gets - hits,
        cache_sets=int(row[14]),
        cache_hit_ratio=hits / gets if gets else None,
        bytes_mean=row[15],
        page_cache_hits=int(row[16]),
        cold_queries=row[17],
        warm_queries_mean=row[18],
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
        wall_ms_mean=row[9],
        db_ms_mean=row[10],
        db_ms_median=row[11],
        queries_mean=row[12],
        authenticated=row[13],
    )
