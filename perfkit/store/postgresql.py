"""PostgreSQL store: recordings in one table via psycopg 3, imported on first use."""

from __future__ import annotations

import contextlib
import math
import os
import re
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from perfkit.errors import StoreError
from perfkit.recording import Recording
from perfkit.store import postgresql_columns as analysis
from perfkit.store import split_query_option
from perfkit.store.base import Store
from perfkit.store.records import keyed_recordings
from perfkit.store.redaction import redact_url
from perfkit.store.rows import Row, record_row

DEFAULT_TABLE = "perfkit_recordings"
CONNECT_TIMEOUT_S = 3
READ_CHUNK = 1000
_STAGING = "perfkit_staging"
_COLUMNS = "id, started_at, view, method, status, wall_ms, payload"
#: One batch of a prune (``{0}`` the table): the oldest rows, by the (started_at, id) index.
_PRUNE = (
    "DELETE FROM {0} WHERE id IN (SELECT id FROM {0} WHERE started_at < %s"
    " ORDER BY started_at, id LIMIT %s)"
)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,47}")
#: How long adding the analysis columns to an older table may wait for its lock: every query
#: on the table would queue behind a waiting ALTER TABLE.
_ALTER_LOCK_TIMEOUT = "2s"


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:
        raise StoreError(
            "the postgresql store needs psycopg: pip install 'psycopg[binary]'"
        ) from exc
    return psycopg


class PostgreSQLStore(Store):
    """Recordings in ``?table=`` (default ``perfkit_recordings``), created by the first write.

    One connection per process, shared by its threads behind a lock. A failed
    operation drops the connection so the next one reconnects.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        conninfo, table = split_query_option(url, "table")
        self.table = table or DEFAULT_TABLE
        if not _IDENTIFIER.fullmatch(self.table):
            raise StoreError(
                f"postgresql store table {self.table!r} is not a plain identifier "
                "(letters, digits and underscores, at most 48 characters)"
            )
        self._conninfo = conninfo
        self._lock = threading.Lock()
        self._conn: Any = None
        self._pid = 0
        self._schema_ready = False
        #: Whether the table has the analysis columns (``postgresql_columns``) for writes to fill.
        self._analysis_columns = False
        self._inherited: list[Any] = []

    @property
    def conninfo(self) -> str:
        """The connection string, without perfkit's own ``table`` option."""
        return self._conninfo

    def _connection(self, create: bool = False) -> Any:
        """This process's connection; ``create`` (writers only) makes the table first."""
        psycopg = _psycopg()
        if self._conn is not None and (self._pid != os.getpid() or self._conn.closed):
            self._discard()
        if self._conn is None:
            options = {"autocommit": True, "application_name": "perfkit"}
            if "connect_timeout" not in self._conninfo:
                options["connect_timeout"] = CONNECT_TIMEOUT_S
            conn = psycopg.connect(self._conninfo, **options)
            # JIT compiling the write's INSERT (its extraction's expressions pass the
            # planner's cost threshold) takes longer than running it.
            conn.execute("SET jit = off")
            self._conn, self._pid, self._schema_ready = conn, os.getpid(), False
        if create and not self._schema_ready:
            self._create_table(self._conn)
            self._schema_ready = True
        return self._conn

    def _create_table(self, conn: Any) -> None:
        sql = _psycopg().sql
        table = sql.Identifier(self.table)
        columns = ", ".join(f"{name} {kind}" for name, kind in analysis.COLUMNS)
        with conn.transaction():
            # Serialises concurrent CREATE TABLE IF NOT EXISTS from several workers.
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.table,))
            conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} ("
                    " id text PRIMARY KEY,"
                    " started_at double precision NOT NULL,"
                    " view text NOT NULL,"
                    " method text NOT NULL,"
                    " status integer NOT NULL,"
                    " wall_ms double precision NOT NULL,"
                    " payload jsonb NOT NULL, "
                ).format(table)
                + sql.SQL(columns + ")")
            )
            conn.execute(
                sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (view, started_at)").format(
                    sql.Identifier(f"{self.table}_view_started"), table
                )
            )
            conn.execute(
                sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (started_at, id)").format(
                    sql.Identifier(f"{self.table}_started"), table
                )
            )
        self._analysis_columns = self._has_analysis_columns(conn) or self._add_analysis_columns(
            conn
        )
        # COPY into a per-session staging table, then INSERT ... ON CONFLICT: as fast as
        # COPY yet idempotent, and free of the stalls executemany's pipeline mode shows.
        conn.execute(
            sql.SQL(
                "CREATE TEMPORARY TABLE IF NOT EXISTS {} (LIKE {}) ON COMMIT DELETE ROWS"
            ).format(sql.Identifier(_STAGING), table)
        )

    def _has_analysis_columns(self, conn: Any) -> bool:
        name = _psycopg().sql.Identifier(self.table).as_string(conn)
        found = conn.execute(
            "SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attname = %s"
            " AND NOT attisdropped",
            (name, analysis.MARKER),
        ).fetchone()
        return found is not None

    def _add_analysis_columns(self, conn: Any) -> bool:
        """Adds the analysis columns to a table made by an older perfkit (its rows keep NULL
        there, and readers extract them); False when the table's lock was not to be had
        soon: this connection then writes without them, and the next one tries again."""
        psycopg = _psycopg()
        try:
            with conn.transaction():
                conn.execute(f"SET LOCAL lock_timeout = '{_ALTER_LOCK_TIMEOUT}'")
                conn.execute(self._sql("ALTER TABLE {} " + analysis.ADD))
        except psycopg.errors.LockNotAvailable:
            return False
        return True

    def _discard(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if self._pid == os.getpid():
            with contextlib.suppress(Exception):
                conn.close()
        else:
            # Inherited across fork(): closing it would terminate the parent's session.
            self._inherited.append(conn)

    def _run(self, action: str, operation: Any, create: bool = False) -> Any:
        psycopg = _psycopg()
        with self._lock:
            try:
                return operation(self._connection(create))
            except psycopg.Error as exc:
                self._discard()
                raise StoreError(
                    f"postgresql store {action} failed ({redact_url(self.url)}): {exc}"
                ) from exc

    def _sql(self, template: str) -> Any:
        sql = _psycopg().sql
        return sql.SQL(template).format(sql.Identifier(self.table))

    def write(self, records: list[dict[str, Any]]) -> None:
        self.write_rows([record_row(record) for record in records])

    def write_rows(self, rows: list[Row]) -> None:
        """COPY into the staging table, then one INSERT that also fills the analysis columns
        (the server extracts them). A record the extraction refuses (a value of the wrong
        type) sends its batch in without them, never loses it."""
        if not rows:
            return
        psycopg = _psycopg()
        copy = f"COPY {_STAGING} ({_COLUMNS}) FROM STDIN"
        plain = self._sql(
            f"INSERT INTO {{}} ({_COLUMNS}) SELECT {_COLUMNS} FROM {_STAGING}"
            " ON CONFLICT (id) DO NOTHING"
        )
        extracting = self._sql(
            f"INSERT INTO {{}} ({_COLUMNS}, {analysis.NAMES}) SELECT s.*, e.*"
            f" FROM (SELECT {_COLUMNS} FROM {_STAGING}) s,"
            f" LATERAL {analysis.extracted('s.payload')} e ON CONFLICT (id) DO NOTHING"
        )

        def operation(conn: Any) -> None:
            with conn.transaction(), conn.cursor() as cursor:
                with cursor.copy(copy) as stream:
                    for row in rows:
                        stream.write_row(row)
                if not self._analysis_columns:
                    cursor.execute(plain)
                    return
                try:
                    with conn.transaction():
                        cursor.execute(extracting)
                except psycopg.errors.DataError:
                    cursor.execute(plain)

        self._run("write", operation, create=True)

    def missing(self) -> str | None:
        def operation(conn: Any) -> Any:
            name = _psycopg().sql.Identifier(self.table).as_string(conn)
            return conn.execute("SELECT to_regclass(%s)", (name,)).fetchone()[0]

        return None if self._run("read", operation) else f"no table {self.table}"

    def entries(self) -> Iterator[tuple[str, Any]]:
        if self.missing():
            return
        first = self._sql("SELECT started_at, id, payload FROM {} ORDER BY started_at, id LIMIT %s")
        following = self._sql(
            "SELECT started_at, id, payload FROM {} WHERE (started_at, id) > (%s, %s)"
            " ORDER BY started_at, id LIMIT %s"
        )
        last: tuple[float, str] | None = None
        while True:
            if last is None:
                rows = self._run("read", lambda c: c.execute(first, (READ_CHUNK,)).fetchall())
            else:
                params = (*last, READ_CHUNK)
                rows = self._run("read", lambda c, p=params: c.execute(following, p).fetchall())
            for _, record_id, payload in rows:
                yield f"id {record_id!r}", payload
            if len(rows) < READ_CHUNK:
                return
            last = (rows[-1][0], rows[-1][1])

    def lines(self, since: float | None = None) -> Iterator[str]:
        """By the (started_at, id) index, through a server-side cursor on a connection of its
        own: the rows come as text, never all at once."""
        if self.missing():
            return
        psycopg = _psycopg()
        query = self._sql(
            "SELECT payload::text FROM {} WHERE started_at >= %s ORDER BY started_at, id"
        )
        try:
            conn = psycopg.connect(self._conninfo, connect_timeout=CONNECT_TIMEOUT_S)
            with conn, conn.cursor(name="perfkit_lines") as cursor:
                cursor.itersize = READ_CHUNK * 5
                cursor.execute(query, (-math.inf if since is None else since,))
                yield from (payload for (payload,) in cursor)
        except psycopg.Error as exc:
            raise StoreError(
                f"postgresql store read failed ({redact_url(self.url)}): {exc}"
            ) from exc

    def find(self, wanted: Mapping[str, float]) -> dict[str, str]:
        """By the primary key."""
        if not wanted or self.missing():
            return {}
        query = self._sql("SELECT id, payload::text FROM {} WHERE id = ANY(%s)")
        rows = self._run("read", lambda c: c.execute(query, (sorted(wanted),)).fetchall())
        return dict(rows)

    def latest(self, view: str, limit: int) -> list[Recording]:
        if self.missing():
            return []
        query = self._sql(
            "SELECT id, payload FROM {} WHERE view = %s ORDER BY started_at DESC, id DESC LIMIT %s"
        )
        rows = self._run("read", lambda c: c.execute(query, (view, limit)).fetchall())
        return keyed_recordings(self.url, reversed(rows))

    def between(self, start: float, end: float) -> list[Recording]:
        if self.missing():
            return []
        query = self._sql(
            "SELECT id, payload FROM {} WHERE started_at BETWEEN %s AND %s ORDER BY started_at, id"
        )
        rows = self._run("read", lambda c: c.execute(query, (start, end)).fetchall())
        return keyed_recordings(self.url, rows)

    def count(self) -> int:
        if self.missing():
            return 0
        query = self._sql("SELECT count(*) FROM {}")
        return self._run("count", lambda c: c.execute(query).fetchone()[0])

    def clear(self) -> None:
        if self.missing():
            return
        query = self._sql("TRUNCATE {}")
        self._run("clear", lambda c: c.execute(query))

    def prune(self, before: float) -> int:
        """Batch by batch, each one autocommitted DELETE: row locks on the old rows only, so
        inserts go on meanwhile, and between batches the connection is free for the writer."""
        if self.missing():
            return 0
        query = self._sql(_PRUNE)
        removed = 0
        while True:
            params = (before, self.prune_batch)
            deleted = self._run("prune", lambda c, p=params: c.execute(query, p).rowcount)
            removed += deleted
            if deleted < self.prune_batch:
                return removed

    def count_before(self, before: float) -> int:
        if self.missing():
            return 0
        query = self._sql("SELECT count(*) FROM {} WHERE started_at < %s")
        return int(self._run("count", lambda c: c.execute(query, (before,)).fetchone()[0]))

    def close(self) -> None:
        with self._lock:
            self._discard()
