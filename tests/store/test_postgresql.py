"""PostgreSQL store against the real server on 127.0.0.1:5432 (db test), one table per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from perfkit.errors import StoreError
from perfkit.store import open_store
from perfkit.store import postgresql as postgresql_store
from perfkit.store import postgresql_columns as analysis
from perfkit.store.postgresql import DEFAULT_TABLE, PostgreSQLStore
from perfkit.store.rows import record_row
from tests.analysis import project_stores
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

SERVER = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def table() -> Iterator[str]:
    name = f"perfkit_test_{uuid.uuid4().hex[:12]}"
    yield name
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {name}")


def test_round_trip_is_exact_and_oldest_first(table: str) -> None:
    store = open_store(f"{SERVER}?table={table}")
    assert isinstance(store, PostgreSQLStore)
    records = [make_record(i) for i in range(2500)]
    for record in records[::100]:
        record["started_at"] = 1_700_000_000.0  # ties broken by id, across chunk borders
    store.write(list(reversed(records[:10])))
    store.write(records[10:])
    store.write(records[:3])  # same ids again: ignored, never duplicated
    assert store.count() == 2500
    expected = sorted(records, key=lambda r: (r["started_at"], r["id"]))
    assert dicts(store.read()) == expected
    store.clear()
    assert store.count() == 0
    assert list(store.read()) == []
    store.close()


def test_pages_with_equal_started_at_across_their_borders_read_in_order(
    table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgresql_store, "READ_CHUNK", 7)
    store = open_store(f"{SERVER}?table={table}")
    assert_pages_in_order(store, page=7)
    store.close()


def test_read_latest_and_between_give_recordings(table: str) -> None:
    store = open_store(f"{SERVER}?table={table}")
    assert_reads_recordings(store)
    store.close()


def test_schema_columns_and_indexes(table: str) -> None:
    store = open_store(f"postgres://postgres@127.0.0.1:5432/test?table={table}")
    store.write([make_record(1)])
    with psycopg.connect(SERVER) as conn:
        columns = dict(
            conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_name = %s",
                (table,),
            ).fetchall()
        )
        indexes = [
            row[0]
            for row in conn.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname",
                (table,),
            )
        ]
        payload = conn.execute(f"SELECT payload->'labels'->>'scenario' FROM {table}").fetchone()
    assert columns == {
        "id": "text",
        "started_at": "double precision",
        "view": "text",
        "method": "text",
        "status": "integer",
        "wall_ms": "double precision",
        "payload": "jsonb",
        **{name: "ARRAY" if kind.endswith("[]") else kind for name, kind in analysis.COLUMNS},
    }
    assert any("(view, started_at)" in index for index in indexes)
    assert payload == ("unit",)
    store.close()


def test_reconnects_after_the_connection_is_killed(table: str) -> None:
    store = PostgreSQLStore(f"{SERVER}?table={table}")
    store.write([make_record(1)])
    backend = store._conn.info.backend_pid
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (backend,))
    with pytest.raises(StoreError, match="postgresql store write failed"):
        store.write([make_record(2)])
    assert store._conn is None
    store.write([make_record(3)])
    assert store._conn.info.backend_pid != backend
    assert [r.id for r in store.read()] == ["r000001", "r000003"]
    store.close()


def test_table_name_must_be_an_identifier() -> None:
    assert PostgreSQLStore(SERVER).table == DEFAULT_TABLE
    for bad in ("x; DROP TABLE y", "1abc", "a.b", "a" * 49):
        with pytest.raises(StoreError, match="not a plain identifier"):
            open_store(f"{SERVER}?table={bad}")


def test_unreachable_server_raises_store_error_without_the_password() -> None:
    store = open_store("postgresql://postgres:s3cret@127.0.0.1:1/test")
    with pytest.raises(StoreError, match="postgresql store write failed") as info:
        store.write([make_record(1)])
    assert "s3cret" not in str(info.value)
    assert "postgres:***@127.0.0.1:1" in str(info.value)


def test_four_processes_write_one_table(table: str) -> None:
    url = f"{SERVER}?table={table}"
    write_from_processes(url, processes=4, count=250, batch=10)
    store = open_store(url)
    ids = [record.id for record in store.read()]
    assert store.count() == 1000
    assert len(set(ids)) == 1000
    assert {i.split("-")[0] for i in ids} == {"p0", "p1", "p2", "p3"}
    store.close()


def test_latest_reads_one_view(table: str) -> None:
    store = open_store(f"{SERVER}?table={table}")
    assert_latest_per_view(store)
    store.close()


def test_between_reads_a_time_window(table: str) -> None:
    store = open_store(f"{SERVER}?table={table}")
    assert_between_reads_a_time_window(store)
    store.close()


def test_a_payload_that_is_no_object_is_named_by_its_id(table: str) -> None:
    def spoil() -> None:
        with psycopg.connect(SERVER, autocommit=True) as conn:
            conn.execute(
                f"INSERT INTO {table} VALUES ('bad', 1700000000.0015, 'v', 'GET', 200, 1.0, '[1]')"
            )

    store = open_store(f"{SERVER}?table={table}")
    assert_corrupt_record_is_named(store, spoil, "id 'bad'", "a JSON list, not an object")
    store.close()


def test_reading_a_missing_table_creates_nothing(table: str) -> None:
    def gone() -> bool:
        with psycopg.connect(SERVER) as conn:
            return conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is None

    store = open_store(f"{SERVER}?table={table}")
    assert_missing_until_written(store, f"no table {table}", gone)
    store.close()


def test_prune_removes_what_started_before_the_cut_off(table: str) -> None:
    store = open_store(f"{SERVER}?table={table}")
    assert_prunes_before(store)
    store.close()


def test_prune_of_a_missing_table_creates_nothing(table: str) -> None:
    store = open_store(f"{SERVER}?table={table}")

    def gone() -> bool:
        with psycopg.connect(SERVER) as conn:
            return conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is None

    assert_prune_of_a_missing_store_creates_nothing(store, gone)
    store.close()


def test_prune_loses_no_record_a_writer_adds_meanwhile(table: str) -> None:
    assert_prune_loses_no_concurrent_write(f"{SERVER}?table={table}")


def test_prune_finds_its_batches_through_the_started_index(table: str) -> None:
    store = open_store(f"{SERVER}?table={table}")
    store.write([make_record(i) for i in range(2000)])
    with psycopg.connect(SERVER) as conn:
        conn.execute(f"ANALYZE {table}")
        query = postgresql_store._PRUNE.format(table)
        plan = conn.execute(f"EXPLAIN {query}", (1_700_000_000.5, 50)).fetchall()
    assert any(f"{table}_started" in line for (line,) in plan), plan
    store.close()


def _signed(fingerprint: str) -> int:
    value = int(fingerprint, 16)
    return value - (1 << 64) if value >= 1 << 63 else value


def test_the_server_fills_the_analysis_columns_from_each_record(table: str) -> None:
    records = [r.to_dict() for r in project_stores.recordings(5, True, count=40)]
    store = open_store(f"{SERVER}?table={table}")
    store.write(records)
    store.close()
    with psycopg.connect(SERVER) as conn:
        rows = conn.execute(
            f"SELECT id, l_size, l_persona, l_phase, nh, gets, sets, q_fp, q_us, q_rows, q_ph"
            f" FROM {table}"
        ).fetchall()
    assert len(rows) == len(records)
    by_id = {r["id"]: r for r in records}
    for rid, size, persona, phase, nh, gets, sets, fps, us, rows_, phs in rows:
        record = by_id[rid]
        queries = record["queries"]
        assert (size, persona, phase) == tuple(
            record["labels"].get(k) for k in ("size", "persona", "phase")
        )
        assert nh == len(record.get("http_calls", []))
        assert gets == sum(c[5] for c in record["cache_ops"] if c[1] in ("get", "get_many"))
        assert sets == sum(c[5] for c in record["cache_ops"] if c[1] == "set")
        assert fps == [_signed(q[1]) for q in queries]
        assert (us, rows_, phs) == (
            [q[2] for q in queries],
            [q[3] for q in queries],
            [q[6] for q in queries],
        )
    assert any(row[4] for row in rows) and any(row[5] for row in rows)


def test_a_record_the_extraction_refuses_is_kept_without_the_columns(table: str) -> None:
    """A fingerprint that is no 16 hex digits: the batch goes in as before, whole."""
    records = [make_record(i) for i in range(3)]
    store = open_store(f"{SERVER}?table={table}")
    store.write(records)
    assert dicts(store.read()) == records
    store.close()
    with psycopg.connect(SERVER) as conn:
        marked = conn.execute(f"SELECT count(*) FROM {table} WHERE q_fp IS NOT NULL").fetchone()
    assert marked == (0,)


def _older_table(table: str, records: list[dict]) -> None:
    """The table as perfkit made it before the analysis columns, with ``records`` in it."""
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(
            f"CREATE TABLE {table} (id text PRIMARY KEY, started_at double precision NOT NULL,"
            " view text NOT NULL, method text NOT NULL, status integer NOT NULL,"
            " wall_ms double precision NOT NULL, payload jsonb NOT NULL)"
        )
        with conn.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [record_row(r) for r in records],
            )


def test_an_older_table_gets_the_columns_and_keeps_its_rows(table: str) -> None:
    old, new = project_stores.recordings(6, True, count=20), project_stores.recordings(7, True, 20)
    _older_table(table, [r.to_dict() for r in old])
    store = open_store(f"{SERVER}?table={table}")
    store.write([r.to_dict() for r in new])
    assert store.count() == len(old) + len(new)
    store.close()
    with psycopg.connect(SERVER) as conn:
        filled = dict(
            conn.execute(f"SELECT q_fp IS NOT NULL, count(*) FROM {table} GROUP BY 1").fetchall()
        )
    assert filled == {False: len(old), True: len(new)}


def test_a_locked_older_table_is_written_without_the_columns(table: str) -> None:
    """A report holding the table: the writer does not queue every query behind its
    ALTER TABLE; it writes as before, and a later connection adds the columns."""
    _older_table(table, [])
    with psycopg.connect(SERVER) as holder:
        holder.execute(f"SELECT count(*) FROM {table}")  # holds ACCESS SHARE until rollback
        store = open_store(f"{SERVER}?table={table}")
        store.write([make_record(1)])
        assert store.count() == 1
        store.close()
        holder.rollback()
    with psycopg.connect(SERVER) as conn:
        found = conn.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = %s"
            " AND column_name = %s",
            (table, analysis.MARKER),
        ).fetchone()
    assert found == (0,)
    later = open_store(f"{SERVER}?table={table}")
    later.write([make_record(2)])
    later.close()
    with psycopg.connect(SERVER) as conn:
        found = conn.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = %s"
            " AND column_name = %s",
            (table, analysis.MARKER),
        ).fetchone()
    assert found == (1,)
