"""``perfkit report`` on stores the middleware wrote: filters, bad input, every renderer."""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import redis

from perfkit.commands.report import parse_since, read_store, select
from perfkit.errors import UsageError
from perfkit.store import open_store
from tests.analysis.factories import query, recording
from tests.servers import run_perfkit

AUTHOR = 'SELECT "demo_author"."id" FROM "demo_author" WHERE "demo_author"."id" = %s'
LIST = 'SELECT "demo_story"."id" FROM "demo_story"'
POSTGRESQL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/14"
NOT_JSON = "not JSON (Expecting property name enclosed in double quotes: char 1)"


def records() -> list[dict]:
    slow = [
        recording("demo:slow", query(LIST), *[query(AUTHOR)] * 6, started_at=1000.0 + i)
        for i in range(3)
    ]
    fast = [recording("demo:fast", query(LIST), started_at=2000.0 + i) for i in range(3)]
    return [r.to_dict() for r in slow + fast]


def test_since_accepts_durations_and_dates() -> None:
    assert parse_since("30m", now=10_000.0) == 8_200.0
    assert parse_since("2d", now=200_000.0) == 200_000.0 - 172_800
    assert parse_since("2026-11-28T12:00:00+00:00", now=0) == 1795867200.0
    assert parse_since(None, now=5) is None
    with pytest.raises(UsageError, match="neither a duration"):
        parse_since("yesterday", now=0)


def _jsonl_of(tmp_path: Path, rows: list[dict]) -> str:
    """A JSON Lines store holding ``rows`` as they are, written behind the store's back."""
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return f"jsonl://{path}"


def test_select_filters_by_time_and_view_glob(tmp_path: Path) -> None:
    url = _jsonl_of(tmp_path, records())
    found, corrupt = read_store(url, since=1500.0, views=[], skip_corrupt=False)
    assert ({r.view for r in found}, corrupt) == ({"demo:fast"}, 0)
    found, _ = read_store(url, since=None, views=["demo:sl*"], skip_corrupt=False)
    assert [r.view for r in found] == ["demo:slow"] * 3
    assert select(found, since=1001.0, views=["demo:*"]) == found[1:]


def test_a_corrupt_record_is_one_clear_error_or_left_out(tmp_path: Path) -> None:
    url = _jsonl_of(tmp_path, [*records(), {"id": "broken", "view": "x", "bogus": 1}])
    with pytest.raises(
        UsageError, match=rf"^corrupt record in {re.escape(url)}, id 'broken': not a perfkit rec"
    ):
        read_store(url, None, [], skip_corrupt=False)
    found, corrupt = read_store(url, None, [], skip_corrupt=True)
    assert (len(found), corrupt) == (6, 1)


def test_a_record_the_filters_cannot_judge_is_checked_not_dropped(tmp_path: Path) -> None:
    url = _jsonl_of(
        tmp_path, [*records(), {**records()[0], "id": "odd", "started_at": "yesterday"}]
    )
    with pytest.raises(UsageError, match=r"id 'odd': .*started_at is str, not float"):
        read_store(url, since=1500.0, views=[], skip_corrupt=False)


@pytest.mark.parametrize("scheme", ["sqlite", "jsonl"])
def test_report_from_a_store_writes_every_format(tmp_path: Path, scheme: str) -> None:
    url = f"{scheme}:///{tmp_path / ('perf.' + scheme)}"
    open_store(url).write(records())
    result = run_perfkit(
        "report",
        "--store",
        url,
        "--json",
        "r.json",
        "--html",
        "r.html",
        "--markdown",
        "r.md",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "demo:slow" in result.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    slow = next(v for v in report["views"] if v["view"] == "demo:slow")
    assert slow["flags"] == ["n_plus_one"]
    assert slow["n_plus_one"][0]["count"] == 6
    assert "demo:slow" in (tmp_path / "r.html").read_text()
    assert "demo:slow" in (tmp_path / "r.md").read_text()
    assert open_store(url).count() == 6  # reading loses nothing


def test_unreachable_store_and_empty_selection_are_one_line(tmp_path: Path) -> None:
    down = run_perfkit("report", "--store", "redis://127.0.0.1:1/0", cwd=tmp_path)
    assert down.returncode == 2 and down.stderr.count("\n") == 1
    assert "check --store" in down.stderr
    url = f"jsonl:///{tmp_path / 'perf.jsonl'}"
    open_store(url).write(records())
    none = run_perfkit("report", "--store", url, "--view", "nope:*", cwd=tmp_path)
    assert none.returncode == 2 and "no recordings" in none.stderr


@dataclass
class Backend:
    """A store the report reads, and ways to tamper with it behind the store's back."""

    url: str
    spoil: Callable[[], object]  # stores one corrupt record after records()
    exists: Callable[[], bool]
    corrupt: str  # how the report names that record: "where: problem"
    missing: str  # what missing() says before anything is written


def _sqlite(tmp_path: Path) -> Iterator[Backend]:
    path = tmp_path / "perf.sqlite3"

    def spoil() -> None:
        with closing(sqlite3.connect(path)) as conn, conn:
            conn.execute("INSERT INTO recordings VALUES ('bad', 3000, 'v', 'GET', 200, 1, '{x')")

    yield Backend(
        f"sqlite:///{path}", spoil, path.exists, f"id 'bad': {NOT_JSON}", f"no file {path}"
    )


def _jsonl(tmp_path: Path) -> Iterator[Backend]:
    path = tmp_path / "perf.jsonl"

    def spoil() -> None:
        with path.open("ab") as file:
            file.write(b"{not json\n")

    yield Backend(f"jsonl://{path}", spoil, path.exists, f"line 7: {NOT_JSON}", f"no file {path}")


def _postgresql(tmp_path: Path) -> Iterator[Backend]:
    table = f"perfkit_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRESQL, autocommit=True) as conn:

        def spoil() -> None:  # valid JSON (jsonb holds nothing else), but not a recording
            row = ("bad", 3000, "v", "GET", 200, 1, '{"id": "bad"}')
            conn.execute(f"INSERT INTO {table} VALUES (%s, %s, %s, %s, %s, %s, %s)", row)

        def exists() -> bool:
            return conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is not None

        yield Backend(
            f"{POSTGRESQL}?table={table}",
            spoil,
            exists,
            "id 'bad': not a perfkit recording (TypeError: Recording.__init__() missing 2 "
            "required positional arguments: 'started_at' and 'method')",
            f"no table {table}",
        )
        conn.execute(f"DROP TABLE IF EXISTS {table}")


def _redis(tmp_path: Path) -> Iterator[Backend]:
    key = f"perfkit:test:{uuid.uuid4().hex}"
    client = redis.Redis.from_url(REDIS)
    yield Backend(
        f"{REDIS}?key={key}",
        lambda: client.rpush(key, b"{not json"),
        lambda: bool(client.exists(key)),
        f"index 6: {NOT_JSON}",
        f"no key {key!r}",
    )
    client.delete(key)
    client.close()


@pytest.fixture(params=[_sqlite, _jsonl, _postgresql, _redis], ids=lambda f: f.__name__[1:])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    yield from request.param(tmp_path)


def test_a_corrupt_record_is_one_line_naming_it_or_skipped_and_counted(
    backend: Backend, tmp_path: Path
) -> None:
    open_store(backend.url).write(records())
    backend.spoil()
    failed = run_perfkit("report", "--store", backend.url, cwd=tmp_path)
    assert (failed.returncode, failed.stdout) == (2, "")
    assert failed.stderr == (
        f"perfkit: error: corrupt record in {backend.url}, {backend.corrupt}; "
        "rerun with --skip-corrupt to leave it out\n"
    )
    skipped = run_perfkit(
        "report", "--store", backend.url, "--skip-corrupt", "--json", "r.json", cwd=tmp_path
    )
    assert skipped.returncode == 0, skipped.stderr
    assert "1 corrupt record(s) skipped (--skip-corrupt)" in skipped.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    assert sum(s["requests"] for v in report["views"] for s in v["sizes"]) == 6


def test_a_store_that_does_not_exist_is_one_line_and_stays_uncreated(
    backend: Backend, tmp_path: Path
) -> None:
    result = run_perfkit("report", "--store", backend.url, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"perfkit: error: store {backend.url} does not exist ({backend.missing}); check --store"
    )
    assert result.stderr.count("\n") == 1
    assert not backend.exists()


def test_the_default_store_is_not_created_by_reading_it(tmp_path: Path) -> None:
    result = run_perfkit("report", cwd=tmp_path)  # sqlite:///perfkit.sqlite3
    assert result.returncode == 2
    assert "store sqlite:///perfkit.sqlite3 does not exist (no file " in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_skipping_every_record_says_how_many(tmp_path: Path) -> None:
    url = f"jsonl://{tmp_path / 'bad.jsonl'}"
    (tmp_path / "bad.jsonl").write_bytes(b'{not json\n[1]\n{"id": "x"}\n')
    result = run_perfkit("report", "--store", url, "--skip-corrupt", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (
        2,
        f"perfkit: error: no recordings in {url} match (3 corrupt record(s) skipped); "
        "check --store, --since and --view\n",
    )


def test_every_engine_writes_the_same_report(tmp_path: Path) -> None:
    from tests.analysis import project_stores
    from tests.analysis.project_stores import differences

    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    store = open_store(url)
    store.write([r.to_dict() for r in project_stores.recordings(21, True)])
    store.close()
    written = {}
    for engine in ("auto", "duckdb", "python"):
        path = tmp_path / f"{engine}.json"
        done = run_perfkit(
            "report", "--store", url, "--engine", engine, "--json", str(path), cwd=tmp_path
        )
        assert done.returncode == 0, done.stderr
        written[engine] = json.loads(path.read_text())
    assert written["python"]["views"]
    assert differences(written["auto"], written["python"]) == []
    assert differences(written["duckdb"], written["python"]) == []


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_every_engine_writes_the_same_report_of_a_postgresql_store(
    tmp_path: Path, store_url: str
) -> None:
    """auto (DuckDB over the copied analysis columns), postgresql (inside the server) and
    python agree."""
    from tests.analysis import project_stores
    from tests.analysis.project_stores import differences

    store = open_store(store_url)
    store.write([r.to_dict() for r in project_stores.recordings(22, True)])
    store.close()
    written = {}
    for engine in ("auto", "postgresql", "python"):
        path = tmp_path / f"{engine}.json"
        done = run_perfkit(
            "report", "--store", store_url, "--engine", engine, "--json", str(path), cwd=tmp_path
        )
        assert done.returncode == 0, done.stderr
        written[engine] = json.loads(path.read_text())
    assert written["python"]["views"]
    assert differences(written["auto"], written["python"]) == []
    assert differences(written["postgresql"], written["python"]) == []


def test_the_postgresql_engine_on_another_store_is_one_line(tmp_path: Path) -> None:
    url = f"jsonl://{tmp_path / 'r.jsonl'}"
    done = run_perfkit("report", "--store", url, "--engine", "postgresql", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "perfkit: error: --engine postgresql analyses a postgresql:// store only\n"
    )


def test_a_parquet_source_that_is_absent_or_not_an_export_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "other.parquet").write_text("not parquet")
    for store, message in (
        (f"parquet://{tmp_path / 'absent.parquet'}", "no file"),
        (f"parquet://{tmp_path / 'other.parquet'}", "is not a perfkit export"),
    ):
        done = run_perfkit("report", "--store", store, cwd=tmp_path)
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr.startswith("perfkit: error: ") and message in done.stderr
        assert done.stderr.count("\n") == 1
    done = run_perfkit(
        "report",
        "--store",
        f"parquet://{tmp_path / 'other.parquet'}",
        "--engine",
        "python",
        cwd=tmp_path,
    )
    assert done.returncode == 2 and "read by DuckDB only" in done.stderr


def test_an_engine_out_of_memory_is_one_line_not_a_slower_reader(tmp_path: Path) -> None:
    """Past DuckDB's memory limit the report says so; it never falls back to building every
    recording in memory (what a store too big for the limit cannot afford)."""
    from tests.analysis import project_stores

    path = tmp_path / "r.jsonl"
    path.write_text(
        "".join(json.dumps(r.to_dict()) + "\n" for r in project_stores.recordings(51, True))
    )
    done = run_perfkit(
        "report", "--store", f"jsonl://{path}", cwd=tmp_path, env={"PERFKIT_DUCKDB_MEMORY": "1MB"}
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "perfkit: error: DuckDB needed more than its 1MB (PERFKIT_DUCKDB_MEMORY): raise it, "
        "or narrow the report with --since or --view\n"
    )
