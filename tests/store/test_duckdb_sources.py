"""How DuckDB reads each store: a SQLite store in place through its scanner, or copied."""

from __future__ import annotations

from pathlib import Path

from perfkit.store import open_store
from perfkit.store.duckdb_sources import connect, source
from tests.analysis import project_stores


def _sqlite_store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    store = open_store(url)
    try:
        store.write([r.to_dict() for r in project_stores.recordings(5, True, count=80)])
    finally:
        store.close()
    return url


def _rows(con: object, relation: str) -> list[tuple[object, ...]]:
    return con.execute(f"SELECT * FROM {relation} ORDER BY id").fetchall()  # type: ignore[attr-defined]


def test_a_sqlite_store_reads_the_same_in_place_as_copied(tmp_path: Path) -> None:
    url = _sqlite_store(tmp_path)
    with connect() as con:
        with source(url, None, con) as scanned:
            # the dev extra installs the scanner, so the suite reads both ways
            assert scanned.sqlite
            in_place = _rows(con, scanned.requests()), _rows(con, scanned.recordings())
        with source(url, None) as copied:
            assert not copied.sqlite
            copy = _rows(con, copied.requests()), _rows(con, copied.recordings())
    assert len(in_place[0]) == 80
    assert in_place == copy


def test_since_reads_a_sqlite_store_by_its_index_not_the_whole_table(tmp_path: Path) -> None:
    url = _sqlite_store(tmp_path)
    with connect() as con, source(url, 0.0, con) as store:
        assert not store.sqlite
        assert len(_rows(con, store.requests())) == 80


def test_a_sqlite_file_without_the_table_is_copied_as_empty(tmp_path: Path) -> None:
    (tmp_path / "empty.sqlite3").write_bytes(b"")
    with connect() as con, source(f"sqlite:///{tmp_path / 'empty.sqlite3'}", None, con) as store:
        assert not store.sqlite
        assert _rows(con, store.requests()) == []
