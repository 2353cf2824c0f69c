"""The analysis's facts gathered by DuckDB over a store, in bounded memory.

One pass over the store keeps a compact table of the measured requests (numbers, labels and
per query its fingerprint, time, rows and parameters' hash); the per-view, per-size figures,
failed views, repeated queries and caching figures are SQL over it (``sql_facts`` asks the
questions). Only the few requests the verdicts read in full (each size's worst request, one
request per statement for its SQL and call site) are then fetched as Recordings, by id
(``Store.find``). The facts
equal ``facts.from_recordings`` on the same records; ``analyse.conclude`` decides the rest.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Callable, Collection
from typing import Any

from perfkit import labels
from perfkit.analysis import sql_facts, stats
from perfkit.analysis.facts import ALL_SIZES, Facts
from perfkit.errors import CorruptRecordError
from perfkit.recording import Recording
from perfkit.store import open_store
from perfkit.store.duckdb_sources import SCALARS, Source, connect, scheme, source
from perfkit.store.postgresql_copy import copied
from perfkit.store.records import as_recording, stored_recording
from perfkit.store.redaction import redact_url

_READS = ", ".join(f"'{op}'" for op in stats.CACHE_READS)
_WRITES = ", ".join(f"'{op}'" for op in stats.CACHE_WRITES)
POSTGRESQL = ("postgresql", "postgres")

#: The requests of the ids given, whole.
Fetch = Callable[[Collection[str]], dict[str, Recording]]

#: What ``_REQUESTS`` reads of a store's records (``Source.requests``): the labels it
#: groups by, and the cache calls summed.
_FROM_RECORDS = f"""
(SELECT *, labels['{labels.PHASE}'] AS l_phase, labels['{labels.SIZE}'] AS l_size,
    labels['{labels.PERSONA}'] AS l_persona, labels['{labels.CACHE}'] AS l_cache,
    labels['{labels.TARGET}'] AS l_target,
    coalesce(list_sum(list_transform(c, lambda x:
        CASE WHEN x.op IN ({_READS}) THEN x.keys ELSE 0 END)), 0) AS gets,
    coalesce(list_sum(list_transform(c, lambda x:
        CASE WHEN x.op IN ({_READS}) THEN x.hits ELSE 0 END)), 0) AS hits,
    coalesce(list_sum(list_transform(c, lambda x:
        CASE WHEN x.op IN ({_WRITES}) THEN x.keys ELSE 0 END)), 0) AS sets
FROM {{requests}})
"""

#: One row per measured request: what every figure is computed from.
_REQUESTS = f"""
CREATE TABLE r AS
SELECT
    id, started_at, view, method, status, wall_ms, cpu_ms, response_bytes, page_cache_hit,
    body_hash, authenticated, validators,
    coalesce(nullif(l_size, ''), '{ALL_SIZES}') AS size,
    coalesce(l_size, '') AS size_label,
    l_persona AS persona,
    l_cache AS cache,
    coalesce(l_target, '') AS target,
    status < 300 OR status = 304 OR (status < 400 AND method NOT IN ('GET', 'HEAD')) AS served,
    len(q) AS nq,
    coalesce(list_sum(list_transform(q, lambda x: x.us)), 0) AS db_us,
    gets, hits, sets,
    len(h) AS nh,
    coalesce(list_sum(list_transform(h, lambda x: x.us)), 0) AS http_us,
    q,
    CASE WHEN len(h) > 0 THEN h END AS h
FROM {{source}}
WHERE coalesce(l_phase, '{labels.MEASURE}') = '{labels.MEASURE}' {{where}}
"""

_SIZES = """
SELECT view, persona, size, count(*), histogram(status),
    avg(nq), max(nq), avg(db_us) / 1000.0, sum(gets), sum(hits), sum(sets),
    avg(response_bytes), sum(page_cache_hit::INTEGER),
    max(nq) FILTER (WHERE cache = 'cold'), avg(nq) FILTER (WHERE cache = 'warm'),
    arg_min(id, {'n': -nq, 't': started_at, 'id': id}),
    arg_min(cache, {'n': -nq, 't': started_at, 'id': id}),
    arg_min(id, {'n': -nh, 't': started_at, 'id': id}),
    max(nh), avg(nh), avg(http_us) / 1000.0, avg(wall_ms)
FROM r WHERE served GROUP BY ALL
"""

#: The percentiles of {value} in each group of {keys} (of requests {where}), as
#: perfkit.quantiles has them: linear between the closest ranks, the positions computed as it
#: computes them. By ranks in a window, which DuckDB sorts within its memory limit and
#: spills; its percentile aggregates hold every value in memory. One sort serves every
#: percentile asked for ({picks}: the two ranks around each position).
_PERCENTILE = """
WITH ranked AS (
    SELECT {keys}, v, row_number() OVER (PARTITION BY {keys} ORDER BY v) - 1 AS k,
        count(*) OVER (PARTITION BY {keys}) - 1 AS n1
    FROM (SELECT {keys}, {value} AS v FROM r WHERE {where})
)
SELECT {keys}, any_value(n1), {picks} FROM ranked GROUP BY ALL
"""
_PICK = (
    "max(v) FILTER (WHERE k = floor(n1 * {q} / 100.0)),"
    " max(v) FILTER (WHERE k = floor(n1 * {q} / 100.0) + 1)"
)

#: Per outbound call (method, host, pattern) of a group at a size: its time in all, and
#: its latest call site.
_CALLS = """
SELECT view, persona, size, x.method, x.host, x.pattern, sum(x.us) / 1000.0,
    arg_max(x.site, {'t': started_at, 'id': id, 'i': x.i})
FROM (SELECT view, persona, size, started_at, id, unnest(h) AS x FROM r WHERE served AND nh > 0)
GROUP BY ALL
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
    avg(nq) FILTER (WHERE {_GET}),
    coalesce(bool_or(authenticated) FILTER (WHERE {_GET}), false)
FROM r WHERE served GROUP BY ALL
"""

#: Requests whose SELECTs (fingerprints in $1) returned what an earlier GET's did
#: (caching.query_results): a request with an unhashed parameter never equals another. A
#: request's executions are compared as a multiset, by their count and the exact sum of
#: their 64-bit hashes, where a sorted list of them took ×1.7 the time.
_RESULT_REPEATS = f"""
WITH k AS (
    SELECT h, view, persona, size_label, count(*) AS n,
        sum(hash(x.fp, x.ph, coalesce(x.rows, 0))::HUGEINT) AS key,
        bool_or(x.ph IS NULL) AS unhashed
    FROM (SELECT hash(id) AS h, view, persona, size_label, unnest(q) AS x FROM r
          WHERE served AND {_GET})
    WHERE list_contains($1, x.fp)
    GROUP BY ALL
)
SELECT view, persona, count(*) - count(DISTINCT {{'s': size_label, 'k': key, 'n': n}})
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
#: and row count at one size, merged per view and statement. The five columns that make an
#: execution's key are hashed into one, as ids are (``_QUERIES``): grouping and joining on
#: a 64-bit key took half the time of five columns (1M requests: 0.66 s, was 1.44 s). Not
#: materialized: unnesting twice costs less than holding every execution (+60 MB at 1M).
_REPEATED = f"""
WITH e AS NOT MATERIALIZED (
    SELECT h, view, x.fp AS fp, x.us AS us,
        hash(view, size_label, x.fp, x.ph, coalesce(x.rows, -1)) AS key
    FROM {_QUERIES} WHERE served AND x.ph IS NOT NULL AND list_contains($1, x.fp)
), k AS (
    SELECT key FROM e GROUP BY key HAVING count(DISTINCT h) >= 2
)
SELECT e.view, e.fp, count(DISTINCT e.h), count(*), sum(e.us) / 1000.0
FROM e SEMI JOIN k ON e.key = k.key
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
    """The facts of the recordings in the store at ``url`` (see duckdb_sources; a PostgreSQL
    store's analysis columns are copied out, see postgresql_copy)."""
    with connect() as con:
        where, args = ("AND started_at >= ?", [since]) if since is not None else ("", [])
        if scheme(url) in POSTGRESQL:
            with copied(url, since) as found:
                con.execute(_REQUESTS.format(source=found.requests(), where=where), args)
                return _gather(con, url, views, found.fetch)
        with source(url, since, con) as store:
            requests = _FROM_RECORDS.format(requests=store.requests())
            con.execute(_REQUESTS.format(source=requests, where=where), args)
            return _gather(con, url, views, lambda ids: _fetch(con, url, store, ids))


#: A request row lacking any of these came from a record no Recording can be made of: DuckDB
#: reads a missing field as NULL where the store's own reader refuses the record.
_REQUIRED = ("id", "started_at", "method", "view", "status", "wall_ms")


def _gather(con: Any, url: str, views: list[str] | None, fetch: Fetch) -> Facts:
    incomplete = " OR ".join(f"{name} IS NULL" for name in _REQUIRED)
    if con.execute(f"SELECT count(*) FROM r WHERE {incomplete}").fetchone()[0]:
        raise CorruptRecordError(redact_url(url), "a record", "a required field is missing")
    if views:
        _keep_views(con, views)
    return sql_facts.gather(_DuckDBRows(con, fetch))


def _keep_views(con: Any, views: list[str]) -> None:
    names = [row[0] for row in con.execute("SELECT DISTINCT view FROM r").fetchall()]
    kept = [n for n in names if any(fnmatch.fnmatchcase(n, v) for v in views)]
    con.execute("DELETE FROM r WHERE NOT list_contains(?, view)", [kept])


def _hex(fingerprint: int) -> str:
    return f"{fingerprint:016x}"


def _ints(fingerprints: list[str]) -> list[int]:
    return [int(fp, 16) for fp in fingerprints]


class _DuckDBRows:
    """sql_facts.Rows over the requests table ``r`` of a DuckDB connection."""

    def __init__(self, con: Any, fetch: Fetch) -> None:
        self.con, self.fetch = con, fetch

    def _all(self, sql: str, args: list[Any] | None = None) -> list[Any]:
        rows: list[Any] = self.con.execute(sql, args or []).fetchall()
        return rows

    def counts(self) -> tuple[int, list[str]]:
        records, sizes = self.con.execute("SELECT count(*), list(DISTINCT size) FROM r").fetchone()
        return records, list(sizes or [])

    def _percentiles(
        self, value: str, keys: str, where: str, qs: tuple[int, ...]
    ) -> list[dict[Any, float]]:
        """Each group's ``q``-th percentile of ``value`` for each of ``qs``, as
        perfkit.quantiles computes it."""
        picks = ", ".join(_PICK.format(q=q) for q in qs)
        found: list[dict[Any, float]] = [{} for _ in qs]
        width = len(keys.split(","))
        for row in self._all(_PERCENTILE.format(value=value, keys=keys, where=where, picks=picks)):
            group, last = tuple(row[:width]), row[width]
            for i, q in enumerate(qs):
                low, high = row[width + 1 + 2 * i], row[width + 2 + 2 * i]
                high = low if high is None else high
                position = last * q / 100.0
                found[i][group] = low + (high - low) * (position - math.floor(position))
        return found

    def sizes(self) -> list[Any]:
        keys = "view, persona, size"
        found = [
            at_q
            for value in ("wall_ms", "cpu_ms")
            for at_q in self._percentiles(value, keys, "served", (50, 95))
        ]
        return [(*row[:5], *(p[row[:3]] for p in found), *row[5:]) for row in self._all(_SIZES)]

    def groups(self) -> list[Any]:
        (median,) = self._percentiles(
            "db_us / 1000.0", "view, persona", f"served AND {_GET}", (50,)
        )
        return [
            (*row[:4], (row[4]["t"], row[4]["id"]), *row[5:11], median.get(row[:2]), *row[11:])
            for row in self._all(_GROUPS)
        ]

    def failed(self) -> list[Any]:
        return self._all(_FAILED)

    def statements(self) -> list[Any]:
        return [(*row[:3], [_hex(fp) for fp in row[3]]) for row in self._all(_STATEMENTS)]

    def first_in_view(self) -> dict[tuple[str, str], str]:
        return {(view, _hex(fp)): rid for view, fp, rid in self._all(_FIRST_IN_VIEW)}

    def first(self) -> dict[str, str]:
        return {_hex(fp): rid for fp, rid in self._all(_FIRST)}

    def warm(self, cold: list[tuple[str, str | None, str]]) -> list[Any]:
        match = " OR ".join(
            "(view = ? AND persona IS NOT DISTINCT FROM ? AND size = ?)" for _ in cold
        )
        rows = self._all(_WARM.format(match=f"({match})"), [v for c in cold for v in c])
        return [(view, persona, _hex(fp), n) for view, persona, fp, n in rows]

    def result_repeats(self, selects: list[str]) -> list[Any]:
        return self._all(_RESULT_REPEATS, [_ints(selects)])

    def calls(self) -> list[Any]:
        return self._all(_CALLS)

    def repeated(self, selects: list[str]) -> list[Any]:
        rows = self._all(_REPEATED, [_ints(selects)])
        return [(view, _hex(fp), *rest) for view, fp, *rest in rows]


def _fetch(con: Any, url: str, store: Source, ids: Collection[str]) -> dict[str, Recording]:
    """The requests, whole, as the store's reader gives them."""
    if not store.parquet:
        starts = con.execute(
            "SELECT id, started_at FROM r WHERE list_contains(?, id)", [sorted(ids)]
        ).fetchall()
        kept = open_store(url)
        try:
            lines = kept.find(dict(starts))
        finally:
            kept.close()
        found = (stored_recording(url, "a fetched record", text) for text in lines.values())
        return {recording.id: recording for recording in found}
    columns = ", ".join(SCALARS)
    rows = con.execute(
        f"SELECT {columns}, labels, statements, queries, cache_ops, http_calls"
        f" FROM {store.recordings()} WHERE list_contains(?, id)",
        [sorted(ids)],
    ).fetchall()
    fetched = {}
    for row in rows:
        record = dict(zip(SCALARS, row, strict=False))
        extra = row[len(SCALARS) :]
        record["labels"] = dict(extra[0] or {})
        record["statements"] = {fp: list(pair) for fp, pair in (extra[1] or {}).items()}
        record["queries"] = [list(q.values()) for q in extra[2] or []]
        record["cache_ops"] = [list(c.values()) for c in extra[3] or []]
        if extra[4]:
            record["http_calls"] = [list(h.values()) for h in extra[4]]
        fetched[record["id"]] = as_recording(url, record)
    return fetched
