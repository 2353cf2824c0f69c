"""The analysis's facts gathered inside PostgreSQL, where a multi-host store lives.

Two temporary tables, built by the server from the store's analysis columns (the measured
requests, and their queries from its arrays; see perfkit/store/postgresql_columns.py),
answer ``sql_facts``'s questions in SQL; what comes back is the per-view rows and the few
requests the verdicts read in full. The same facts as ``facts.from_recordings`` on the same
records; the server does the work. Ids and fingerprints compare byte by byte (COLLATE "C"),
as Python compares strings, and several times faster than by a locale's rules.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from perfkit import labels
from perfkit.analysis import sql_facts
from perfkit.analysis.facts import ALL_SIZES, Facts
from perfkit.recording import Recording
from perfkit.store import postgresql_columns as analysis
from perfkit.store.postgresql import PostgreSQLStore
from perfkit.store.records import stored_recording

_GET = "method = 'GET' AND status = 200 AND coalesce(body_hash, '') <> ''"
_READABLE, _JOIN = analysis.readable("t")

#: The measured requests of the store's table ({table}) that pass the filters ({where}), one
#: row each: its analysis columns, per query a fingerprint as 16 hex digits.
_REQUESTS = f"""
CREATE TEMPORARY TABLE r AS
SELECT id COLLATE "C" AS id, started_at, view COLLATE "C" AS view, method, status, wall_ms,
    coalesce(nullif(l_size, ''), '{ALL_SIZES}') AS size,
    coalesce(l_size, '') AS size_label,
    l_persona AS persona, l_cache AS cache, coalesce(l_target, '') AS target, body_hash,
    status < 300 OR status = 304 OR (status < 400 AND method NOT IN ('GET', 'HEAD')) AS served,
    cpu_ms, response_bytes, page_cache_hit, authenticated, validators,
    cardinality(q_fp) AS nq, (SELECT coalesce(sum(us), 0) FROM unnest(q_us) us) AS db_us,
    gets, hits, sets, nh,
    coalesce((SELECT sum((h->>4)::bigint) FROM jsonb_array_elements(http_calls) h), 0)
        AS http_us,
    http_calls, {_GET} AS get, q_fp, q_us, q_rows, q_ph
FROM (
    SELECT t.id, t.started_at, t.view, t.method, t.status, t.wall_ms, {_READABLE},
        CASE WHEN coalesce(t.nh, e.nh) > 0 THEN t.payload->'http_calls' END AS http_calls
    FROM {{table}} t {_JOIN}
    WHERE true {{where}}
) stored
WHERE coalesce(l_phase, '{labels.MEASURE}') = '{labels.MEASURE}'
"""

_QUERIES = """
CREATE TEMPORARY TABLE q AS
SELECT id, started_at, view, persona, served, size, size_label, cache, get,
    x.i, lpad(to_hex(x.fp), 16, '0') COLLATE "C" AS fp, x.us, x.rows, x.ph
FROM r, LATERAL unnest(q_fp, q_us, q_rows, q_ph) WITH ORDINALITY AS x(fp, us, rows, ph, i)
"""

_SIZES = """
SELECT view, persona, size, count(*),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY wall_ms),
    percentile_cont(0.95) WITHIN GROUP (ORDER BY wall_ms),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_ms),
    percentile_cont(0.95) WITHIN GROUP (ORDER BY cpu_ms),
    avg(nq)::float8, max(nq), avg(db_us)::float8 / 1000.0, sum(gets)::bigint,
    sum(hits)::bigint, sum(sets)::bigint, avg(response_bytes)::float8,
    sum(page_cache_hit::int)::bigint,
    max(nq) FILTER (WHERE cache = 'cold'), (avg(nq) FILTER (WHERE cache = 'warm'))::float8,
    (array_agg(id ORDER BY nq DESC, started_at, id))[1],
    (array_agg(cache ORDER BY nq DESC, started_at, id))[1],
    (array_agg(id ORDER BY nh DESC, started_at, id))[1],
    max(nh), avg(nh)::float8, avg(http_us)::float8 / 1000.0, avg(wall_ms)::float8
FROM r WHERE served GROUP BY view, persona, size
"""

_CALLS = """
SELECT view, persona, size, x.h->>0, x.h->>1, x.h->>2, sum((x.h->>4)::bigint)::float8 / 1000.0,
    (array_agg(x.h->>5 ORDER BY started_at DESC, id DESC, x.i DESC))[1]
FROM r, LATERAL jsonb_array_elements(r.http_calls) WITH ORDINALITY AS x(h, i)
WHERE served AND nh > 0
GROUP BY 1, 2, 3, 4, 5, 6
"""
_SIZE_STATUSES = """
SELECT view, persona, size, status, count(*) FROM r WHERE served GROUP BY 1, 2, 3, 4
"""

_GROUPS = """
SELECT view, persona,
    (array_agg(id ORDER BY started_at, id))[1],
    array_agg(DISTINCT method ORDER BY method),
    min(started_at),
    bool_or(method NOT IN ('GET', 'HEAD')),
    count(*) FILTER (WHERE get),
    coalesce(bool_or(validators) FILTER (WHERE get), false),
    count(*) FILTER (WHERE get) - count(DISTINCT (size_label, body_hash)) FILTER (WHERE get),
    (avg(wall_ms) FILTER (WHERE get))::float8,
    (avg(db_us) FILTER (WHERE get))::float8 / 1000.0,
    (percentile_cont(0.5) WITHIN GROUP (ORDER BY db_us) FILTER (WHERE get)) / 1000.0,
    (avg(nq) FILTER (WHERE get))::float8,
    coalesce(bool_or(authenticated) FILTER (WHERE get), false)
FROM r WHERE served GROUP BY view, persona
"""

_FAILED = """
SELECT view, count(*), count(*) FILTER (WHERE NOT served),
    array_agg(DISTINCT target ORDER BY target)
FROM r GROUP BY view HAVING count(*) FILTER (WHERE NOT served) > 0
"""
_FAILED_STATUSES = "SELECT view, status, count(*) FROM r WHERE NOT served GROUP BY 1, 2"

_STATEMENTS = "SELECT view, persona, served, array_agg(DISTINCT fp) FROM q GROUP BY 1, 2, 3"
_FIRST_IN_VIEW = (
    "SELECT DISTINCT ON (view, fp) view, fp, id FROM q WHERE served"
    " ORDER BY view, fp, started_at, id"
)
_FIRST = "SELECT DISTINCT ON (fp) fp, id FROM q ORDER BY fp, started_at, id"

_WARM = """
SELECT view, persona, fp, max(n) FROM (
    SELECT view, persona, id, fp, count(*) AS n FROM q
    WHERE served AND cache = 'warm' AND ({match}) GROUP BY 1, 2, 3, 4
) counted GROUP BY 1, 2, 3
"""

_RESULT_REPEATS = """
WITH k AS (
    SELECT id, view, persona, size_label,
        array_agg(fp || ':' || ph || ':' || coalesce(rows, 0) ORDER BY fp, ph, rows) AS key,
        bool_or(ph IS NULL) AS unhashed
    FROM q WHERE served AND get AND fp = ANY(%s) GROUP BY 1, 2, 3, 4
)
SELECT view, persona, count(*) - count(DISTINCT (size_label, key))
FROM k WHERE NOT unhashed GROUP BY 1, 2
"""

_REPEATED = """
WITH e AS (
    SELECT id, view, size_label, fp, ph, coalesce(rows, -1) AS rows, us FROM q
    WHERE served AND ph IS NOT NULL AND fp = ANY(%s)
), k AS (
    SELECT view, size_label, fp, ph, rows FROM e
    GROUP BY 1, 2, 3, 4, 5 HAVING count(DISTINCT id) >= 2
)
SELECT e.view, e.fp, count(DISTINCT e.id), count(*), sum(e.us)::float8 / 1000.0
FROM e JOIN k USING (view, size_label, fp, ph, rows) GROUP BY 1, 2
"""


def gather(url: str, since: float | None = None, views: list[str] | None = None) -> Facts:
    """The facts of the recordings in the PostgreSQL store at ``url``, computed by the server."""
    store = PostgreSQLStore(url)
    with _connection(store) as conn:
        table = _identifier(conn, store.table)
        where, args = "", list[Any]()
        if since is not None:
            where, args = "AND t.started_at >= %s", [since]
        if views:
            names = [row[0] for row in conn.execute(f"SELECT DISTINCT view FROM {table}")]
            kept = [n for n in names if any(fnmatch.fnmatchcase(n, v) for v in views)]
            where, args = f"{where} AND t.view = ANY(%s)", [*args, kept]
        conn.execute(_REQUESTS.format(table=table, where=where), args)
        conn.execute(_QUERIES)
        return sql_facts.gather(_PostgresRows(conn, url, table))


@contextmanager
def _connection(store: PostgreSQLStore) -> Iterator[Any]:
    import psycopg

    from perfkit.store.postgresql import CONNECT_TIMEOUT_S

    conn = psycopg.connect(store.conninfo, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True)
    try:
        # Temporary tables r and q live in the session's own buffers; JIT compiling these
        # statements costs more than it saves.
        conn.execute("SET temp_buffers = '512MB'")
        conn.execute("SET work_mem = '64MB'")
        conn.execute("SET jit = off")
        yield conn
    finally:
        conn.close()


def _identifier(conn: Any, name: str) -> str:
    from psycopg import sql

    return sql.Identifier(name).as_string(conn)


class _PostgresRows:
    """sql_facts.Rows over the temporary tables ``r`` and ``q`` of a PostgreSQL session."""

    def __init__(self, conn: Any, url: str, table: str) -> None:
        self.conn, self.url, self.table = conn, url, table

    def _all(self, sql: str, args: list[Any] | None = None) -> list[Any]:
        rows: list[Any] = self.conn.execute(sql, args or []).fetchall()
        return rows

    def counts(self) -> tuple[int, list[str]]:
        records, sizes = self._all("SELECT count(*), array_agg(DISTINCT size) FROM r")[0]
        return records, list(sizes or [])

    def sizes(self) -> list[Any]:
        statuses: dict[tuple[Any, ...], dict[int, int]] = {}
        for view, persona, size, status, n in self._all(_SIZE_STATUSES):
            statuses.setdefault((view, persona, size), {})[status] = n
        return [(*row[:4], statuses[row[:3]], *row[4:]) for row in self._all(_SIZES)]

    def groups(self) -> list[Any]:
        return [(*row[:4], (row[4], row[2]), *row[5:]) for row in self._all(_GROUPS)]

    def failed(self) -> list[Any]:
        statuses: dict[str, dict[int, int]] = {}
        for view, status, n in self._all(_FAILED_STATUSES):
            statuses.setdefault(view, {})[status] = n
        return [
            (view, n, failed, statuses[view], list(t)) for view, n, failed, t in self._all(_FAILED)
        ]

    def statements(self) -> list[Any]:
        return [(*row[:3], list(row[3])) for row in self._all(_STATEMENTS)]

    def first_in_view(self) -> dict[tuple[str, str], str]:
        return {(view, fp): rid for view, fp, rid in self._all(_FIRST_IN_VIEW)}

    def first(self) -> dict[str, str]:
        return dict(self._all(_FIRST))

    def warm(self, cold: list[tuple[str, str | None, str]]) -> list[Any]:
        match = " OR ".join(
            "(view = %s AND persona IS NOT DISTINCT FROM %s AND size = %s)" for _ in cold
        )
        return self._all(_WARM.format(match=match), [v for c in cold for v in c])

    def result_repeats(self, selects: list[str]) -> list[Any]:
        return self._all(_RESULT_REPEATS, [selects])

    def calls(self) -> list[Any]:
        return self._all(_CALLS)

    def repeated(self, selects: list[str]) -> list[Any]:
        return self._all(_REPEATED, [selects])

    def fetch(self, ids: Collection[str]) -> dict[str, Recording]:
        rows = self._all(
            f"SELECT id, payload::text FROM {self.table} WHERE id = ANY(%s)", [sorted(ids)]
        )
        return {rid: stored_recording(self.url, f"id {rid!r}", payload) for rid, payload in rows}
