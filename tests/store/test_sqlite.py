"""SQLite store: exact round trip, WAL mode, URL forms and four concurrent writer processes."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from perfkit.errors import StoreError
from perfkit.store import open_store
from perfkit.store import sqlite as sqlite_store
from perfkit.store.sqlite import _BETWEEN, _LATEST, _NEXT_CHUNK, SQLiteStore, parse_sqlite_url
from tests.store import (
    assert_between_reads_a_time_window,
    assert_corrupt_record_is_named,
    assert_latest_per_view,
    assert_missing_until_written,
    assert_pages_in_order,
    assert_prune_loses_no_concurrent_write,
    assert_prune_of_a_missing_store_creates_nothing,
    assert_prunes_before,
    assert_reads_recordings,
    dicts,
    make_record,
    write_from_processes,
)


def test_round_trip_is_exact_and_oldest_first(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/nested/dir/recordings.sqlite3")
    records = [make_record(i) for i in range(50)]
    store.write(list(reversed(records[:25])))
    store.write(records[25:])
    assert store.count() == 50
    assert dicts(store.read()) == records
    store.write(records[:5])  # same ids again: ignored, never duplicated
    assert store.count() == 50
    store.clear()
    assert store.count() == 0
    assert list(store.read()) == []
    store.close()


def test_read_pages_through_more_than_one_chunk(tmp_path: Path) -> None:
    store = SQLiteStore(f"sqlite:///{tmp_path}/big.sqlite3")
    records = [make_record(i) for i in range(2500)]
    for record in records[::100]:
        record["started_at"] = 1_700_000_000.0  # ties broken by id, across chunk borders
    store.write(records)
    got = [record.id for record in store.read()]
    assert len(got) == 2500
    assert sorted(got) == sorted(r["id"] for r in records)
    assert got == [r["id"] for r in sorted(records, key=lambda r: (r["started_at"], r["id"]))]


def test_pages_with_equal_started_at_across_their_borders_read_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_store, "READ_CHUNK", 7)
    store = SQLiteStore(f"sqlite:///{tmp_path}/pages.sqlite3")
    assert_pages_in_order(store, page=7)
    plan = store._connection().execute("EXPLAIN QUERY PLAN " + _NEXT_CHUNK, (0, "", 7)).fetchall()
    assert [row[3] for row in plan] == [
        "SEARCH recordings USING INDEX recordings_started ((started_at,id)>(?,?))"
    ]  # each page seeks the index; none walks it from the start
    store.close()


def test_read_latest_and_between_give_recordings(tmp_path: Path) -> None:
    store = SQLiteStore(f"sqlite:///{tmp_path}/typed.sqlite3")
    assert_reads_recordings(store)
    store.close()


def test_wal_mode_busy_timeout_and_schema(tmp_path: Path) -> None:
    path = tmp_path / "wal.sqlite3"
    store = SQLiteStore(f"sqlite:///{path}")
    store.write([make_record(1)])
    assert store.journal_mode() == "wal"
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        columns = {row[1]: row[2] for row in conn.execute("PRAGMA table_info(recordings)")}
        indexes = {row[1] for row in conn.execute("PRAGMA index_list(recordings)")}
        view_index = [r[2] for r in conn.execute("PRAGMA index_info(recordings_view_started)")]
    assert columns == {
        "id": "TEXT",
        "started_at": "REAL",
        "view": "TEXT",
        "method": "TEXT",
        "status": "INTEGER",
        "wall_ms": "REAL",
        "payload": "TEXT",
    }
    assert "recordings_view_started" in indexes
    assert view_index == ["view", "started_at"]
    assert store._connection().execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    store.close()


def test_url_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert parse_sqlite_url("sqlite:///rel/x.sqlite3") == str(tmp_path / "rel" / "x.sqlite3")
    assert parse_sqlite_url("sqlite:////abs/x.sqlite3") == "/abs/x.sqlite3"
    store = open_store("sqlite:///rel/x.sqlite3")
    store.write([make_record(1)])
    assert (tmp_path / "rel" / "x.sqlite3").exists()
    store.close()
    for bad in ("sqlite://", "sqlite:///", "sqlite://relative.sqlite3"):
        with pytest.raises(StoreError, match="has no path"):
            open_store(bad)


def test_unwritable_path_raises_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    store = open_store(f"sqlite:///{blocker}/x.sqlite3")
    with pytest.raises(StoreError, match="sqlite store write failed"):
        store.write([make_record(1)])


def test_four_processes_write_one_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/shared.sqlite3"
    write_from_processes(url, processes=4, count=250, batch=10)
    store = open_store(url)
    ids = [record.id for record in store.read()]
    assert store.count() == 1000
    assert len(ids) == 1000
    assert len(set(ids)) == 1000
    assert {i.split("-")[0] for i in ids} == {"p0", "p1", "p2", "p3"}
    store.close()


def test_connection_is_reopened_in_a_forked_child(tmp_path: Path) -> None:
    store = SQLiteStore(f"sqlite:///{tmp_path}/fork.sqlite3")
    store.write([make_record(0)])
    parent_conn = store._conn
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            store.write([make_record(1)])
            code = 0 if store._conn is not parent_conn and store.count() == 2 else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert store._conn is parent_conn
    assert store.count() == 2
    store.close()


def test_latest_reads_one_view_through_its_index(tmp_path: Path) -> None:
    store = SQLiteStore(f"sqlite:///{tmp_path}/latest.sqlite3")
    assert_latest_per_view(store)
    plan = store._connection().execute("EXPLAIN QUERY PLAN " + _LATEST, ("v", 5)).fetchall()
    assert "USING INDEX recordings_view_started" in plan[0][3]
    store.close()


def test_between_reads_a_window_through_the_started_index(tmp_path: Path) -> None:
    store = SQLiteStore(f"sqlite:///{tmp_path}/window.sqlite3")
    assert_between_reads_a_time_window(store)
    plan = store._connection().execute("EXPLAIN QUERY PLAN " + _BETWEEN, (0, 1)).fetchall()
    assert "USING INDEX recordings_started" in plan[0][3]
    store.close()


def test_a_corrupt_row_is_named_by_its_id(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.sqlite3"

    def spoil() -> None:
        with closing(sqlite3.connect(path)) as conn, conn:
            conn.execute(
                "INSERT INTO recordings VALUES"
                " ('bad', 1700000000.0015, 'v', 'GET', 200, 1.0, '{not json')"
            )

    assert_corrupt_record_is_named(
        SQLiteStore(f"sqlite:///{path}"),
        spoil,
        "id 'bad'",
        "not JSON (Expecting property name enclosed in double quotes: char 1)",
    )


def test_reading_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "nosuch" / "x.sqlite3"
    store = SQLiteStore(f"sqlite:///{path}")
    assert_missing_until_written(store, f"no file {path}", lambda: not path.parent.exists())
    store.close()


def test_reading_a_file_without_the_table_leaves_it_alone(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE other (x)")

    def untouched() -> bool:
        with closing(sqlite3.connect(path)) as conn:
            tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master")]
            return tables == ["other"] and conn.execute("PRAGMA journal_mode").fetchone()[0] == (
                "delete"
            )

    store = SQLiteStore(f"sqlite:///{path}")
    assert_missing_until_written(store, f"no recordings table in {path}", untouched)
    assert store.journal_mode() == "wal"  # the connection reading opened still set up the write
    store.close()


def test_prune_removes_what_started_before_the_cut_off(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/p.sqlite3")
    assert_prunes_before(store)
    store.close()


def test_prune_of_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "none.sqlite3"
    store = open_store(f"sqlite:///{path}")
    assert_prune_of_a_missing_store_creates_nothing(store, lambda: not path.exists())


def test_prune_loses_no_record_a_writer_adds_meanwhile(tmp_path: Path) -> None:
    assert_prune_loses_no_concurrent_write(f"sqlite:///{tmp_path}/busy.sqlite3")


def test_prune_deletes_through_the_started_index(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/plan.sqlite3")
    store.write([make_record(1)])
    with closing(sqlite3.connect(tmp_path / "plan.sqlite3")) as conn:
        plan = conn.execute(f"EXPLAIN QUERY PLAN {sqlite_store._PRUNE}", (0.0, 10)).fetchall()
    assert any("USING COVERING INDEX recordings_started" in row[-1] for row in plan), plan
    store.close()
