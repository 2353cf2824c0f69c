"""A PostgreSQL store's analysis columns copied out for DuckDB: one COPY, a CSV file, a relation.

The server sends what the analysis counts of each request (``postgresql_columns``: numbers,
labels and per query its fingerprint, time, rows and parameters' hash; a request's outbound
calls when it made some), from ``since`` on by the started_at index, never a whole record.
Rows written before their table had the columns are extracted from their payload on the way
out. DuckDB then reads the file in pieces, as it reads a JSON-lines store.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Collection, Iterator
from typing import Any

from perfkit.recording import Recording
from perfkit.store import postgresql_columns as analysis
from perfkit.store.postgresql import CONNECT_TIMEOUT_S, PostgreSQLStore
from perfkit.store.records import stored_recording

#: Arrays come as PostgreSQL writes them ({1,2}), read as text.
_DUCKDB_TYPES = {"double precision": "DOUBLE", "integer": "INTEGER", "bigint[]": "VARCHAR"}
_COLUMNS = (
    ("id", "VARCHAR"),
    ("started_at", "DOUBLE"),
    ("view", "VARCHAR"),
    ("method", "VARCHAR"),
    ("status", "INTEGER"),
    ("wall_ms", "DOUBLE"),
    *((name, _DUCKDB_TYPES.get(kind, kind.upper())) for name, kind in analysis.COLUMNS),
    ("http_calls", "VARCHAR"),
)

_READABLE, _JOIN = analysis.readable("t")
_COPY = (
    f"COPY (SELECT t.id, t.started_at, t.view, t.method, t.status, t.wall_ms, {_READABLE},"
    " CASE WHEN coalesce(t.nh, e.nh) > 0 THEN t.payload->'http_calls' END"
    f" FROM {{table}} t {_JOIN} WHERE t.started_at >= %s) TO STDOUT (FORMAT csv)"
)

#: A fingerprint as PostgreSQL keeps it (signed 64 bits) as the unsigned number the other
#: sources read from its hex: a negative one is 2^63 above its sum with 2^63. Without the
#: 128-bit arithmetic it used to take (``(x + 2^64) % 2^64``), a third less time.
_UNSIGNED_FP = (
    "CASE WHEN x[1] < 0 THEN (x[1] + 9223372036854775807 + 1)::UBIGINT"
    " + 9223372036854775808::UBIGINT ELSE x[1]::UBIGINT END"
)


def _list(column: str, kind: str) -> str:
    return f"translate({column}, '{{}}', '[]')::{kind}[]"


class Copied:
    """A PostgreSQL store's requests in a CSV file, as DuckDB reads them."""

    def __init__(self, store: PostgreSQLStore, path: str) -> None:
        self.store, self.path = store, path

    def requests(self) -> str:
        """The requests' scalars, labels (``l_…``), cache sums, ``q`` (per query: i, fp, us,
        rows, ph) and ``h`` (per outbound call: i, method, host, pattern, us, site)."""
        columns = ", ".join(f"'{name}': '{kind}'" for name, kind in _COLUMNS)
        path = "'" + self.path.replace("'", "''") + "'"
        return f"""(SELECT * EXCLUDE (fp, us, rows, ph, http_calls),
    list_transform(list_zip(fp, us, rows, ph), lambda x, i: {{'i': i::SMALLINT,
        'fp': {_UNSIGNED_FP}, 'us': x[2]::INTEGER,
        'rows': x[3]::INTEGER, 'ph': x[4]}}) AS q,
    list_transform(coalesce(from_json(http_calls, '[["VARCHAR"]]'), []), lambda h, i: {{
        'i': i::SMALLINT, 'method': h[1], 'host': h[2], 'pattern': h[3],
        'us': h[5]::INTEGER, 'site': h[6]}}) AS h
FROM (SELECT *, {_list("q_fp", "BIGINT")} AS fp, {_list("q_us", "BIGINT")} AS us,
        {_list("q_rows", "BIGINT")} AS rows, {_list("q_ph", "BIGINT")} AS ph
    FROM read_csv({path}, columns = {{{columns}}}, header = false, allow_quoted_nulls = false)))"""

    def fetch(self, ids: Collection[str]) -> dict[str, Recording]:
        """The requests of ``ids``, whole, from the store."""
        import psycopg

        query = psycopg.sql.SQL("SELECT id, payload::text FROM {} WHERE id = ANY(%s)").format(
            psycopg.sql.Identifier(self.store.table)
        )
        with psycopg.connect(self.store.conninfo, connect_timeout=CONNECT_TIMEOUT_S) as conn:
            rows = conn.execute(query, (sorted(ids),)).fetchall()
        return {
            rid: stored_recording(self.store.url, f"id {rid!r}", payload) for rid, payload in rows
        }


@contextlib.contextmanager
def copied(url: str, since: float | None) -> Iterator[Copied]:
    """The requests of the store at ``url`` from ``since`` on, in a temporary CSV file
    (removed when the block ends)."""
    import psycopg

    store = PostgreSQLStore(url)
    folder = tempfile.mkdtemp(prefix="perfkit-copy-")
    path = os.path.join(folder, "requests.csv")
    try:
        with psycopg.connect(store.conninfo, connect_timeout=CONNECT_TIMEOUT_S) as conn:
            conn.execute("SET jit = off")
            table = psycopg.sql.Identifier(store.table).as_string(conn)
            _copy(conn, _COPY.format(table=table), since, path)
        yield Copied(store, path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _copy(conn: Any, statement: str, since: float | None, path: str) -> None:
    start = float("-inf") if since is None else since
    with conn.cursor() as cursor, open(path, "wb") as out, cursor.copy(statement, (start,)) as copy:
        for chunk in copy:
            out.write(chunk)
