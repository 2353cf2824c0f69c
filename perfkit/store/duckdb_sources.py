"""Any store as DuckDB sees it: relations of recordings, whatever holds them.

DuckDB reads a JSON-lines store and a Parquet export itself, and a SQLite store through its
SQLite scanner where that extension is installed (DuckDB never downloads it here); every other
store's records are copied for it to a temporary JSON-lines file by ``Store.lines`` (SQLite
and PostgreSQL find ``since`` by their index). ``recordings`` gives the stored record's
fields, with queries and cache calls as lists of structs and statements as a map from
fingerprint to [sql, call site]: the same columns for every source, and what
``perfkit store export --parquet`` writes.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any, BinaryIO

#: The stored record's top-level fields, as DuckDB reads them from JSON.
_JSON_COLUMNS = {
    "id": "VARCHAR",
    "started_at": "DOUBLE",
    "method": "VARCHAR",
    "view": "VARCHAR",
    "url_name": "VARCHAR",
    "route": "VARCHAR",
    "view_path": "VARCHAR",
    "status": "INTEGER",
    "wall_ms": "DOUBLE",
    "cpu_ms": "DOUBLE",
    "response_bytes": "BIGINT",
    "authenticated": "BOOLEAN",
    "has_cache_control": "BOOLEAN",
    "has_etag": "BOOLEAN",
    "has_last_modified": "BOOLEAN",
    "page_cache_hit": "BOOLEAN",
    "body_hash": "VARCHAR",
    "profile": "VARCHAR",
    "queries": "JSON[]",
    "statements": "MAP(VARCHAR, VARCHAR[])",
    "cache_ops": "JSON[]",
    "http_calls": "JSON[]",
    "labels": "MAP(VARCHAR, VARCHAR)",
}

#: The scalar fields, in Recording's order.
SCALARS = [
    name
    for name in _JSON_COLUMNS
    if name not in ("queries", "statements", "cache_ops", "http_calls", "labels")
]

#: JSON arrays to structs: a query is [alias, fingerprint, duration_us, rows, many, params,
#: params_hash], a cache call [alias, op, key_pattern, duration_us, hit, keys, hits], an
#: outbound call [method, host, path_pattern, status, duration_us, callsite, queries_before]
#: (records of older perfkits have none: an empty list).
_TYPED = (
    ", ".join(SCALARS) + ", labels, statements" + ", list_transform(queries, lambda q: {"
    "'alias': q->>0, 'fingerprint': q->>1, 'duration_us': (q->>2)::BIGINT,"
    " 'rows': (q->>3)::BIGINT, 'many': (q->>4)::BOOLEAN, 'params': q->>5,"
    " 'params_hash': (q->>6)::BIGINT}) AS queries" + ", list_transform(cache_ops, lambda c: {"
    "'alias': c->>0, 'op': c->>1, 'key_pattern': c->>2, 'duration_us': (c->>3)::BIGINT,"
    " 'hit': (c->>4)::BOOLEAN, 'keys': (c->>5)::BIGINT, 'hits': (c->>6)::BIGINT}) AS cache_ops"
    ", list_transform(coalesce(http_calls, []), lambda h: {"
    "'method': h->>0, 'host': h->>1, 'path_pattern': h->>2, 'status': (h->>3)::INTEGER,"
    " 'duration_us': (h->>4)::BIGINT, 'callsite': h->>5, 'queries_before': (h->>6)::INTEGER})"
    " AS http_calls"
)

#: What the analysis reads of every request, from stored JSON (``requests``): queries and
#: cache calls cut down to the fields it counts, fingerprints as integers.
_REQUEST_COLUMNS = (
    "id, started_at, view, method, status, wall_ms, cpu_ms, response_bytes, page_cache_hit,"
    " body_hash, authenticated, has_cache_control OR has_etag OR has_last_modified AS validators,"
    " labels"
)
_FROM_JSON = (
    _REQUEST_COLUMNS + ", list_transform(queries, lambda q, i: {'i': i::SMALLINT,"
    " 'fp': ('0x' || q[2])::UBIGINT, 'us': q[3]::INTEGER, 'rows': q[4]::INTEGER,"
    " 'ph': q[7]::BIGINT}) AS q"
    ", list_transform(cache_ops, lambda c: {'op': c[2], 'keys': c[6]::INTEGER,"
    " 'hits': c[7]::INTEGER}) AS c"
    ", list_transform(coalesce(http_calls, []), lambda h, i: {'i': i::SMALLINT,"
    " 'method': h[1], 'host': h[2], 'pattern': h[3], 'us': h[5]::INTEGER, 'site': h[6]}) AS h"
)
_FROM_TYPED = (
    _REQUEST_COLUMNS + ", list_transform(queries, lambda q, i: {'i': i::SMALLINT,"
    " 'fp': ('0x' || q.fingerprint)::UBIGINT, 'us': q.duration_us::INTEGER,"
    " 'rows': q.rows::INTEGER, 'ph': q.params_hash}) AS q"
    ", list_transform(cache_ops, lambda c: {'op': c.op, 'keys': c.keys::INTEGER,"
    " 'hits': c.hits::INTEGER}) AS c"
    ", list_transform(http_calls, lambda h, i: {'i': i::SMALLINT, 'method': h.method,"
    " 'host': h.host, 'pattern': h.path_pattern, 'us': h.duration_us::INTEGER,"
    " 'site': h.callsite}) AS h"
)


#: DuckDB's own memory; what does not fit goes to a temporary folder, so any store completes.
#: The process's peak is ~170 MB above it (Python, the report, DuckDB's own allocations):
#: 250 MB keeps a 1M-record report near 420 MB, where 300 MB reached 530 MB.
MEMORY_LIMIT = os.environ.get("PERFKIT_DUCKDB_MEMORY", "250MB")

#: The scheme of a Parquet export, which only DuckDB reads.
PARQUET = "parquet"


@contextlib.contextmanager
def connect() -> Iterator[Any]:
    """A DuckDB connection held to MEMORY_LIMIT, its tables in a file of a temporary folder
    (removed afterwards): DuckDB evicts a file's pages, never an in-memory table's, so only
    a database on disk stays within the limit whatever the store's size. Its tables are left
    uncompressed: every query of the analysis reads the requests table again, and read
    uncompressed two of them took 0.24 s where they took 0.62 s (1M requests), for a
    larger file in the temporary folder."""
    import duckdb

    folder = tempfile.mkdtemp(prefix="perfkit-duckdb-")
    con = duckdb.connect(
        os.path.join(folder, "analysis.duckdb"),
        config={
            "memory_limit": MEMORY_LIMIT,
            "temp_directory": folder,
            "preserve_insertion_order": False,
            "force_compression": "uncompressed",
        },
    )
    try:
        yield con
    finally:
        con.close()
        shutil.rmtree(folder, ignore_errors=True)


def scheme(url: str) -> str:
    return url.partition("://")[0].lower()


#: The fields ``requests`` reads, and how: DuckDB's JSON reader parses each field it is
#: given (the statements map, every SQL text, would double the time of a pass), and reads
#: an array of JSON values as text at half the cost of JSON it parses again.
_REQUEST_FIELDS = {
    **{
        name: kind
        for name, kind in _JSON_COLUMNS.items()
        if name not in ("url_name", "route", "view_path", "profile", "statements")
    },
    "queries": "VARCHAR[][]",
    "cache_ops": "VARCHAR[][]",
    "http_calls": "VARCHAR[][]",
}


def _json(path: str, select: str = _TYPED, fields: dict[str, str] | None = None) -> str:
    columns = ", ".join(f"'{name}': '{kind}'" for name, kind in (fields or _JSON_COLUMNS).items())
    return (
        f"(SELECT {select} FROM read_json({_literal(path)}, format = 'newline_delimited',"
        f" columns = {{{columns}}}))"
    )


def _sqlite(path: str, select: str = _TYPED, fields: dict[str, str] | None = None) -> str:
    """The SQLite store's payloads, each read as ``read_json`` reads a line (``_json``)."""
    shape = _literal(json.dumps(fields or _JSON_COLUMNS))
    return (
        f"(SELECT {select} FROM (SELECT unnest(json_transform(payload, {shape}))"
        f" FROM sqlite_scan({_literal(path)}, 'recordings')))"
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class Source:
    """A store as DuckDB reads it: relations over one JSON-lines file, a Parquet export or,
    through DuckDB's SQLite scanner, a SQLite store's table."""

    def __init__(self, path: str, parquet: bool = False, sqlite: bool = False) -> None:
        self.path, self.parquet, self.sqlite = path, parquet, sqlite

    def recordings(self) -> str:
        """The stored records' fields, queries, cache and outbound calls as structs."""
        if self.parquet:
            return f"(SELECT * FROM read_parquet({_literal(self.path)}))"
        if self.sqlite:
            return _sqlite(self.path)
        return _json(self.path)

    def requests(self) -> str:
        """What the analysis counts of each request: the scalars, labels, ``q`` (per query:
        i, fp, us, rows, ph), ``c`` (per cache call: op, keys, hits) and ``h`` (per outbound
        call: i, method, host, pattern, us, site)."""
        if self.parquet:
            return f"(SELECT {_FROM_TYPED} FROM read_parquet({_literal(self.path)}))"
        if self.sqlite:
            return _sqlite(self.path, _FROM_JSON, _REQUEST_FIELDS)
        return _json(self.path, _FROM_JSON, _REQUEST_FIELDS)


@contextlib.contextmanager
def source(url: str, since: float | None, con: Any = None) -> Iterator[Source]:
    """The store at ``url`` as a Source, valid until the block ends.

    DuckDB reads a JSON-lines file and a Parquet export where they are, and a whole SQLite
    store where it is when connection ``con`` can load DuckDB's SQLite scanner
    (``load_sqlite_scanner``). Any other store's records (from ``since`` on, by its index
    where it has one), and a JSON-lines file's tail from ``since`` on, are copied as JSON
    text to a temporary file first: DuckDB holds all of what it reads from a pipe in memory,
    and a file it reads in pieces.
    """
    kind = scheme(url)
    if kind == PARQUET:
        yield Source(_path(url), parquet=True)
        return
    if kind == "sqlite" and since is None and con is not None:
        path = _sqlite_table(url)
        if path is not None and load_sqlite_scanner(con):
            yield Source(path, sqlite=True)
            return
    start = _jsonl_start(url, since) if kind == "jsonl" else 0
    if kind == "jsonl" and start == 0:
        yield Source(_path(url))
        return
    folder = tempfile.mkdtemp(prefix="perfkit-copy-")
    copy = os.path.join(folder, "recordings.jsonl")
    try:
        with open(copy, "wb") as out:
            if kind == "jsonl":
                _copy_tail(_path(url), start, out)
            else:
                _copy_lines(url, since, out)
        yield Source(copy)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def load_sqlite_scanner(con: Any) -> bool:
    """Load DuckDB's SQLite scanner into ``con``, if this DuckDB has it: installed by DuckDB
    itself (``INSTALL sqlite``) or by the package ``duckdb-extension-sqlite-scanner`` of the
    same version (the ``sqlite-scan`` extra). Never downloaded: False where it is not here."""
    import duckdb

    installed = con.execute(
        "SELECT installed FROM duckdb_extensions() WHERE extension_name = 'sqlite_scanner'"
    ).fetchone()
    candidates = ["sqlite_scanner"] if installed and installed[0] else []
    spec = importlib.util.find_spec("duckdb_extension_sqlite_scanner")
    for folder in list(spec.submodule_search_locations or []) if spec else []:
        file = os.path.join(
            folder, "extensions", f"v{duckdb.__version__}", "sqlite_scanner.duckdb_extension"
        )
        if os.path.exists(file):
            candidates.append(file)
    for candidate in candidates:
        try:
            con.execute(f"LOAD {_literal(candidate)}")
            return True
        except duckdb.Error:
            continue
    return False


def _sqlite_table(url: str) -> str | None:
    """The file of the SQLite store at ``url``, if it holds the recordings table."""
    from perfkit.store.sqlite import SQLiteStore

    store = SQLiteStore(url)
    try:
        return None if store.missing() else store.path
    finally:
        store.close()


def _path(url: str) -> str:
    return os.path.abspath(url.partition("://")[2])


def _jsonl_start(url: str, since: float | None) -> int:
    """Where a JSON-lines store's records from ``since`` begin (0: read it all)."""
    if since is None:
        return 0
    from perfkit.store.jsonl import JSONLStore

    return JSONLStore(url).offset_since(since)


def _copy_lines(url: str, since: float | None, out: BinaryIO) -> None:
    """The store's records, a line each (``Store.lines``)."""
    from perfkit.store import open_store

    store = open_store(url)
    try:
        batch: list[str] = []
        for line in store.lines(since):
            batch.append(line)
            if len(batch) >= 2000:
                out.write(("\n".join(batch) + "\n").encode())
                batch.clear()
        if batch:
            out.write(("\n".join(batch) + "\n").encode())
    finally:
        store.close()


def _copy_tail(path: str, start: int, out: BinaryIO) -> None:
    """A file's bytes from ``start`` to its end, as they are, copied by the kernel."""
    with open(path, "rb") as file:
        position, end = start, os.fstat(file.fileno()).st_size
        while position < end:
            sent = os.sendfile(out.fileno(), file.fileno(), position, end - position)
            if not sent:
                return
            position += sent
