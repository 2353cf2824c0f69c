"""The SQL engines answer as memory does: DuckDB and PostgreSQL give the in-memory Report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfkit.analysis import duckdb_facts
from perfkit.analysis.analyse import conclude
from perfkit.errors import CorruptRecordError
from perfkit.recording import Recording
from perfkit.store import open_store
from perfkit.store.jsonl import JSONLStore
from tests.analysis import project_stores
from tests.analysis.project_stores import differences, engine, reference


def _write(url: str, found: list[Recording]) -> list[Recording]:
    """Write ``found`` to the store; what it reads back (the stored form keeps one call site
    per statement and request)."""
    store = open_store(url)
    try:
        store.write([r.to_dict() for r in found])
        return list(store.read())
    finally:
        store.close()


@pytest.mark.parametrize("store_url", ["jsonl", "sqlite", "postgresql", "redis"], indirect=True)
@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("bench", [True, False], ids=["bench", "staging"])
def test_every_store_gives_the_in_memory_report(store_url: str, seed: int, bench: bool) -> None:
    """DuckDB over JSON lines, SQLite and Redis (piped), SQL inside PostgreSQL."""
    stored = _write(store_url, project_stores.recordings(seed, bench))
    expected = reference(stored)
    assert expected["views"] and expected["failed"]
    assert differences(engine(store_url), expected) == []


@pytest.mark.parametrize("store_url", ["jsonl", "sqlite", "postgresql"], indirect=True)
def test_since_and_view_filters_pick_the_same_requests(store_url: str) -> None:
    stored = _write(store_url, project_stores.recordings(3, True))
    middle = sorted(r.started_at for r in stored)[len(stored) // 2]
    for since, views in ((middle, []), (None, ["blog:*"]), (middle, ["api:*", "hc:details"])):
        expected = reference(stored, since, views)
        assert differences(engine(store_url, since, views), expected) == [], (since, views)


def test_the_findings_are_found_not_assumed(tmp_path: Path) -> None:
    """The generated project has what a real one has: an N+1 list that grows and calls an
    API per row, a page waiting on a slow API, a failed search, a refused viewset and a
    repeated lookup; DuckDB reports each of them."""
    url = f"jsonl://{tmp_path / 'r.jsonl'}"
    _write(url, project_stores.recordings(4, True, count=400))
    report = engine(url)
    views = {v["view"]: v for v in report["views"]}
    assert "n_plus_one" in views["blog:article_list"]["flags"]
    assert views["blog:article_list"]["fit"]["verdict"] == "O(n)"
    assert "n_plus_one_api" in views["blog:article_list"]["flags"]
    assert "outbound_bound" in views["hc:details"]["flags"]
    failed = {f["view"]: f["verdict"] for f in report["failed"]}
    assert failed["blog:search"].startswith("answered 500")
    assert any(q["view"] == "hc:details" for q in report["repeated_queries"])


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000), bench=st.booleans(), count=st.integers(1, 60))
def test_any_small_store_gives_the_in_memory_report(
    tmp_path_factory: pytest.TempPathFactory, seed: int, bench: bool, count: int
) -> None:
    path = tmp_path_factory.mktemp("store") / "r.jsonl"
    found = project_stores.recordings(seed, bench, count)
    path.write_text("".join(json.dumps(r.to_dict()) + "\n" for r in found))
    stored = list(open_store(f"jsonl://{path}").read())
    if not any(r.labels.get("phase", "measure") == "measure" for r in stored):
        return
    assert differences(engine(f"jsonl://{path}"), reference(stored)) == []


def test_the_demo_bench_gives_the_same_report(tmp_path: Path) -> None:
    from tests.servers import run_perfkit

    out = tmp_path / "out"
    done = run_perfkit("bench", "--output", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    url = f"jsonl://{out / 'recordings.jsonl'}"
    stored = list(open_store(url).read())
    expected = reference(stored)
    assert {v["view"] for v in expected["views"]} >= {"demo:story_list_slow", "demo:front"}
    assert differences(engine(url), expected) == []


def test_since_on_a_long_json_lines_store_reads_its_tail_only(tmp_path: Path) -> None:
    """Recordings a minute apart, written out of start order by up to five minutes: the
    report from an hour on is the in-memory one, read from past the older records."""
    found = project_stores.recordings(11, False, count=600)
    for i, recording in enumerate(found):
        recording.started_at = 1.79e9 + 60 * i
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(r.to_dict()) + "\n" for r in found))
    url = f"jsonl://{path}"
    stored = list(open_store(url).read())
    since = 1.79e9 + 60 * 500
    assert JSONLStore(url).offset_since(since) > path.stat().st_size // 2
    assert differences(engine(url, since), reference(stored, since)) == []


def _copied(url: str, since: float | None = None, views: list[str] = ()) -> dict:
    """The report of DuckDB over the PostgreSQL store's copied analysis columns."""
    found = duckdb_facts.gather(url, since, list(views) or None)
    return conclude(found, source="s", relations={}).to_dict()


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_duckdb_reads_a_postgresql_store_the_same_through_its_copy(store_url: str) -> None:
    stored = _write(store_url, project_stores.recordings(12, True))
    expected = reference(stored)
    assert differences(_copied(store_url), expected) == []
    middle = sorted(r.started_at for r in stored)[len(stored) // 2]
    for since, views in ((middle, []), (None, ["blog:*"]), (middle, ["api:*", "hc:details"])):
        expected = reference(stored, since, views)
        assert differences(_copied(store_url, since, views), expected) == [], (since, views)


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("bench", [True, False], ids=["bench", "staging"])
def test_rows_from_before_the_analysis_columns_are_read_the_same(
    store_url: str, bench: bool
) -> None:
    """Half the records in a table an older perfkit made (no analysis columns), the other
    half written after this one added them: both PostgreSQL engines read both halves."""
    import psycopg

    from perfkit.store.rows import record_row

    server, _, table = store_url.partition("?table=")
    older = project_stores.recordings(13, bench)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(
            f"CREATE TABLE {table} (id text PRIMARY KEY, started_at double precision NOT NULL,"
            " view text NOT NULL, method text NOT NULL, status integer NOT NULL,"
            " wall_ms double precision NOT NULL, payload jsonb NOT NULL)"
        )
        with conn.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [record_row(r.to_dict()) for r in older[::2]],
            )
    stored = _write(store_url, older[1::2])
    with psycopg.connect(server) as conn:
        filled = conn.execute(
            f"SELECT count(*) FILTER (WHERE q_fp IS NULL), count(*) FROM {table}"
        ).fetchone()
    assert filled == (len(older[::2]), len(older))
    expected = reference(stored)
    assert expected["views"]
    assert differences(engine(store_url), expected) == []
    assert differences(_copied(store_url), expected) == []


def test_a_record_missing_its_fields_is_corrupt_to_duckdb_too(tmp_path: Path) -> None:
    """DuckDB reads a missing field as NULL; the engine refuses the record as the store's own
    reader does, so the report goes to that reader and names it."""
    good = [json.dumps(r.to_dict()) for r in project_stores.recordings(13, False, count=20)]
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join([*good, '{"":""}']) + "\n")
    with pytest.raises(CorruptRecordError, match="required field"):
        duckdb_facts.gather(f"jsonl://{path}")
