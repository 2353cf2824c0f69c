"""SQLite store: one WAL-mode file shared safely by several worker processes."""

from __future__ import annotations

import contextlib
import math
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.request import pathname2url

from perfkit.errors import StoreError
from perfkit.recording import Recording
from perfkit.store.base import Store
from perfkit.store.records import keyed_recordings
from perfkit.store.rows import Row, record_row

BUSY_TIMEOUT_MS = 5000
READ_CHUNK = 1000

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS recordings (
        id TEXT PRIMARY KEY,
        started_at REAL NOT NULL,
        view TEXT NOT NULL,
        method TEXT NOT NULL,
        status INTEGER NOT NULL,
        wall_ms REAL NOT NULL,
        payload TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS recordings_view_started ON recordings (view, started_at)",
    "CREATE INDEX IF NOT EXISTS recordings_started ON recordings (started_at, id)",
)
_INSERT = (
    "INSERT OR IGNORE INTO recordings (id, started_at, view, method, status, wall_ms, payload)"
    " VALUES "
)
#: Rows per INSERT statement. One multi-row statement is one ``sqlite3_step``, and the
#: sqlite3 module releases the GIL around each step: a row at a time would hand the GIL
#: back and forth with request threads once per record.
ROWS_PER_STATEMENT = 500


def _insert(count: int) -> str:
    return _INSERT + ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * count)


_FIRST_CHUNK = "SELECT started_at, id, payload FROM recordings ORDER BY started_at, id LIMIT ?"
#: The page after ``(started_at, id)``: a row value, so that SQLite seeks the (started_at, id)
#: index to it rather than walking it from the start for every page.
_NEXT_CHUNK = (
    "SELECT started_at, id, payload FROM recordings"
    " WHERE (started_at, id) > (?, ?) ORDER BY started_at, id LIMIT ?"
)

#: A view's newest records, through the (view, started_at) index.
_LATEST = (
    "SELECT id, payload FROM recordings WHERE view = ? ORDER BY started_at DESC, id DESC LIMIT ?"
)
_BETWEEN = (
    "SELECT id, payload FROM recordings WHERE started_at BETWEEN ? AND ? ORDER BY started_at, id"
)
#: Every payload that started at ? or later, through the (started_at, id) index.
_LINES = "SELECT payload FROM recordings WHERE started_at >= ? ORDER BY started_at, id"
#: Ids a ``find`` asks for in one statement (SQLite's limit on parameters was 999 before 3.32).
FIND_CHUNK = 500
_HAS_TABLE = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'recordings'"
#: One batch of a prune: the oldest rows first, found through the (started_at, id) index.
_PRUNE = (
    "DELETE FROM recordings WHERE rowid IN"
    " (SELECT rowid FROM recordings WHERE started_at < ? ORDER BY started_at, id LIMIT ?)"
)
_COUNT_BEFORE = "SELECT count(*) FROM recordings WHERE started_at < ?"


def parse_sqlite_url(url: str) -> str:
    """``sqlite:///rel/path`` -> ``rel/path``; ``sqlite:////abs/path`` -> ``/abs/path``."""
    rest = url.partition("://")[2]
    path = rest[1:] if rest.startswith("/") else ""
    if not path:
        raise StoreError(
            f"sqlite store URL {url!r} has no path: use sqlite:///relative.sqlite3 "
            "or sqlite:////absolute/path.sqlite3"
        )
    return path if path == ":memory:" else os.path.abspath(path)


@contextlib.contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """A write transaction, taken at once (BEGIN IMMEDIATE): committed, or rolled back on
    any failure inside it."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _enable_wal(conn: sqlite3.Connection) -> None:
    """Switch the file to WAL; retried because that switch ignores the busy handler."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def _create_schema(conn: sqlite3.Connection) -> None:
    """WAL mode and the table: what a writer needs, done once per connection."""
    _enable_wal(conn)
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in _SCHEMA:
            conn.execute(statement)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


class SQLiteStore(Store):
    """Recordings in a ``recordings`` table; each process opens its own connection.

    One connection per process, shared by that process's threads behind a lock
    (``check_same_thread=False`` is safe because every use holds the lock).
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = parse_sqlite_url(url)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self._schema_ready = False
        self._inherited: list[sqlite3.Connection] = []

    def _connection(self, create: bool = False) -> sqlite3.Connection:
        """This process's connection; ``create`` (writers only) makes the file and schema."""
        if self._conn is not None and self._pid != os.getpid():
            # Inherited across fork(): never touch (or finalize) the parent's handle.
            self._inherited.append(self._conn)
            self._conn = None
        if self._conn is None:
            self._conn, self._pid, self._schema_ready = self._connect(create), os.getpid(), False
        if create and not self._schema_ready:
            _create_schema(self._conn)
            self._schema_ready = True
        return self._conn

    def _connect(self, create: bool) -> sqlite3.Connection:
        target = self.path
        if target != ":memory:":
            if create:
                os.makedirs(os.path.dirname(target), exist_ok=True)
            # mode=rw fails on a missing file where a plain connect would create it.
            target = f"file:{pathname2url(target)}?mode={'rwc' if create else 'rw'}"
        conn = sqlite3.connect(
            target,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
            uri=True,
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        except BaseException:
            conn.close()
            raise
        return conn

    def _fail(self, action: str, exc: Exception) -> StoreError:
        self._close_locked()
        return StoreError(f"sqlite store {action} failed ({self.path}): {exc}")

    def write(self, records: list[dict[str, Any]]) -> None:
        self.write_rows([record_row(record) for record in records])

    def write_rows(self, rows: list[Row]) -> None:
        if not rows:
            return
        with self._lock:
            try:
                conn = self._connection(create=True)
                with _immediate(conn):
                    for start in range(0, len(rows), ROWS_PER_STATEMENT):
                        chunk = rows[start : start + ROWS_PER_STATEMENT]
                        conn.execute(_insert(len(chunk)), [v for row in chunk for v in row])
            except (sqlite3.Error, OSError) as exc:
                raise self._fail("write", exc) from exc

    def missing(self) -> str | None:
        if self.path != ":memory:" and not os.path.exists(self.path):
            return f"no file {self.path}"
        with self._lock:
            try:
                found = self._connection().execute(_HAS_TABLE).fetchone()
            except (sqlite3.Error, OSError) as exc:
                raise self._fail("read", exc) from exc
        return None if found else f"no recordings table in {self.path}"

    def entries(self) -> Iterator[tuple[str, Any]]:
        if self.missing():
            return
        last: tuple[float, str] | None = None
        while True:
            with self._lock:
                try:
                    conn = self._connection()
                    if last is None:
                        rows = conn.execute(_FIRST_CHUNK, (READ_CHUNK,)).fetchall()
                    else:
                        rows = conn.execute(_NEXT_CHUNK, (*last, READ_CHUNK)).fetchall()
                except (sqlite3.Error, OSError) as exc:
                    raise self._fail("read", exc) from exc
            for _, record_id, payload in rows:
                yield f"id {record_id!r}", payload
            if len(rows) < READ_CHUNK:
                return
            last = (rows[-1][0], rows[-1][1])

    def lines(self, since: float | None = None) -> Iterator[str]:
        """By the (started_at, id) index, on a read-only connection of its own: a long read
        in WAL mode blocks no writer."""
        if self.missing():
            return
        try:
            conn = sqlite3.connect(f"file:{pathname2url(self.path)}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise self._fail("read", exc) from exc
        try:
            rows = conn.execute(_LINES, (-math.inf if since is None else since,))
            while batch := rows.fetchmany(READ_CHUNK):
                yield from (payload for (payload,) in batch)
        except sqlite3.Error as exc:
            raise self._fail("read", exc) from exc
        finally:
            conn.close()

    def find(self, wanted: Mapping[str, float]) -> dict[str, str]:
        """By the primary key."""
        ids = sorted(wanted)
        found: dict[str, str] = {}
        for start in range(0, len(ids), FIND_CHUNK):
            chunk = tuple(ids[start : start + FIND_CHUNK])
            query = (
                f"SELECT id, payload FROM recordings WHERE id IN ({', '.join('?' * len(chunk))})"
            )
            found.update(self._select(query, chunk))
        return found

    def latest(self, view: str, limit: int) -> list[Recording]:
        rows = self._select(_LATEST, (view, limit))
        return keyed_recordings(self.url, reversed(rows))

    def between(self, start: float, end: float) -> list[Recording]:
        rows = self._select(_BETWEEN, (start, end))
        return keyed_recordings(self.url, rows)

    def _select(self, query: str, params: tuple[Any, ...]) -> list[Any]:
        if self.missing():
            return []
        with self._lock:
            try:
                return self._connection().execute(query, params).fetchall()
            except (sqlite3.Error, OSError) as exc:
                raise self._fail("read", exc) from exc

    def count(self) -> int:
        if self.missing():
            return 0
        with self._lock:
            try:
                return self._connection().execute("SELECT count(*) FROM recordings").fetchone()[0]
            except (sqlite3.Error, OSError) as exc:
                raise self._fail("count", exc) from exc

    def clear(self) -> None:
        if self.missing():
            return
        with self._lock:
            try:
                self._connection().execute("DELETE FROM recordings")
            except (sqlite3.Error, OSError) as exc:
                raise self._fail("clear", exc) from exc

    def prune(self, before: float) -> int:
        """Batch by batch, each in a ``BEGIN IMMEDIATE`` transaction of its own that waits
        for the write lock as a writer does (the busy timeout). After each batch the prune
        leaves the lock free for as long as the batch held it: a waiting writer retries on a
        sleeping back-off, and a prune that took the lock straight back would starve it
        (measured: a write waited 0.6 s beside back-to-back batches, under 0.1 s with the
        pauses). So a writer waits about one batch, and the prune takes about twice as long."""
        if self.missing():
            return 0
        removed = 0
        while True:
            began = time.monotonic()
            with self._lock:
                try:
                    conn = self._connection()
                    with _immediate(conn):
                        deleted = conn.execute(_PRUNE, (before, self.prune_batch)).rowcount
                except (sqlite3.Error, OSError) as exc:
                    raise self._fail("prune", exc) from exc
            removed += deleted
            if deleted < self.prune_batch:
                return removed
            time.sleep(time.monotonic() - began)

    def count_before(self, before: float) -> int:
        rows = self._select(_COUNT_BEFORE, (before,))
        return int(rows[0][0]) if rows else 0

    def journal_mode(self) -> str:
        """The journal mode SQLite reports for this store's connection (``"wal"``)."""
        with self._lock:
            return self._connection().execute("PRAGMA journal_mode").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._close_locked()

    def _close_locked(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if self._pid == os.getpid():
            conn.close()
        else:
            self._inherited.append(conn)
