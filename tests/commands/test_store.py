"""``perfkit store prune`` and ``export`` on every kind of store: what they say and do, refusals."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis

from perfkit.store import open_store
from tests.servers import run_perfkit
from tests.store import make_record

POSTGRESQL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/14"
#: Between make_record's start times (November 2023) and now.
CUT = "2024-01-01T00:00:00+00:00"
SAYS_CUT = f"that started before 2024-01-01 00:00:00 UTC ({CUT})"


def fresh(index: int) -> dict:
    """A record of a request an hour ago: no cut-off used here removes it."""
    return {**make_record(index, "fresh-"), "started_at": time.time() - 3600}


@pytest.fixture(params=["sqlite", "jsonl", "postgresql", "redis"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store URL of each kind, nothing written to it yet; removed afterwards."""
    name = f"perfkit_test_{uuid.uuid4().hex[:12]}"
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/store.sqlite3"
    elif request.param == "jsonl":
        yield f"jsonl://{tmp_path}/store.jsonl"
    elif request.param == "postgresql":
        yield f"{POSTGRESQL}?table={name}"
        with psycopg.connect(POSTGRESQL, autocommit=True) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {name}")
    else:
        yield f"{REDIS}?key=perfkit:test:{name}"
        client = redis.Redis.from_url(REDIS)
        client.delete(f"perfkit:test:{name}")
        client.close()


def prune(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    result = run_perfkit("store", "prune", *args, cwd=tmp_path)
    return result.returncode, result.stdout, result.stderr


def test_prune_removes_the_old_records_and_says_how_many_stay(
    store_url: str, tmp_path: Path
) -> None:
    store = open_store(store_url)
    store.write([make_record(i) for i in range(30)] + [fresh(i) for i in range(12)])
    dry = prune(tmp_path, "--store", store_url, "--older-than", CUT, "--dry-run")
    assert dry == (
        0,
        f"would remove 30 records {SAYS_CUT}, keep 12; nothing changed (--dry-run)\n",
        "",
    )
    assert store.count() == 42
    assert prune(tmp_path, "--store", store_url, "--older-than", CUT) == (
        0,
        f"removed 30 records {SAYS_CUT}, kept 12\n",
        "",
    )
    assert sorted(r.id for r in store.read()) == [f"fresh-{i:06d}" for i in range(12)]
    assert prune(tmp_path, "--store", store_url, "--older-than", CUT) == (
        0,
        f"removed 0 records {SAYS_CUT}, kept 12\n",
        "",
    )
    store.close()


def test_prune_of_a_store_that_does_not_exist_is_one_line_and_creates_it_not(
    store_url: str, tmp_path: Path
) -> None:
    status, out, err = prune(tmp_path, "--store", store_url, "--older-than", "30d")
    assert (status, out) == (2, "")
    assert err.startswith(f"perfkit: error: store {store_url} does not exist (")
    assert err.endswith("); check --store\n") and err.count("\n") == 1
    store = open_store(store_url)
    assert store.missing() is not None
    store.close()
    assert list(tmp_path.iterdir()) == []


def test_a_duration_counts_back_from_now(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    now = time.time()
    ages = {"a": 40, "b": 31, "c": 29, "d": 1}  # days
    lines = [
        json.dumps({**make_record(i, name), "started_at": now - days * 86_400})
        for i, (name, days) in enumerate(ages.items())
    ]
    path.write_text("\n".join(lines) + "\n")
    status, out, err = prune(tmp_path, "--store", f"jsonl://{path}", "--older-than", "30d")
    assert (status, err) == (0, "")
    assert out.startswith("removed 2 records that started before ") and out.endswith(
        " (30d), kept 2\n"
    )
    assert [json.loads(line)["id"][0] for line in path.read_text().splitlines()] == ["c", "d"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--older-than", "a month"],
            "perfkit: error: --older-than 'a month' is neither a duration (30m, 6h, 2d) "
            "nor an ISO date-time\n",
        ),
        (
            ["--older-than", "2999-01-01"],
            "perfkit: error: --older-than '2999-01-01' is in the future; give a time in the past\n",
        ),
        (["--older-than", "30d", "--store", "ftp://x/y"], "perfkit: error: unsupported store URL"),
        (["--store", "jsonl://r.jsonl"], "perfkit: error: the following arguments are required"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(make_record(1)) + "\n")
    before = path.read_bytes()
    status, out, err = prune(
        tmp_path, *(["--store", "jsonl://r.jsonl"] * ("--store" not in args)), *args
    )
    assert (status, out) == (2, "")
    assert err.startswith(message) and err.count("\n") == 1
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["r.jsonl"]


def test_the_store_group_needs_an_action(tmp_path: Path) -> None:
    result = run_perfkit("store", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("perfkit: error: the following arguments are required: ACTION")
    assert "prune" in run_perfkit("store", "--help", cwd=tmp_path).stdout


def test_export_writes_a_parquet_file_the_report_reads(store_url: str, tmp_path: Path) -> None:
    from tests.analysis import project_stores
    from tests.analysis.project_stores import differences

    store = open_store(store_url)
    store.write([r.to_dict() for r in project_stores.recordings(41, True)])
    store.close()
    target = tmp_path / "export.parquet"
    done = run_perfkit(
        "store", "export", "--store", store_url, "--parquet", str(target), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"exported 240 records to {target} (")
    reports = {}
    for source in (store_url, f"parquet://{target}"):
        path = tmp_path / "report.json"
        done = run_perfkit("report", "--store", source, "--json", str(path), cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        reports[source] = {**json.loads(path.read_text()), "source": "the same records"}
    assert reports[store_url]["views"]
    assert differences(reports[f"parquet://{target}"], reports[store_url]) == []


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_export_refusals_are_one_line_and_write_nothing(store_url: str, tmp_path: Path) -> None:
    missing = run_perfkit(
        "store",
        "export",
        "--store",
        store_url,
        "--parquet",
        str(tmp_path / "x.parquet"),
        cwd=tmp_path,
    )
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    store = open_store(store_url)
    store.write([make_record(1)])
    store.close()
    for target, says in (
        (tmp_path, "is a folder"),
        (tmp_path / "no" / "x.parquet", "cannot write there"),
    ):
        done = run_perfkit(
            "store", "export", "--store", store_url, "--parquet", str(target), cwd=tmp_path
        )
        assert (done.returncode, done.stdout) == (2, "")
        assert says in done.stderr and done.stderr.count("\n") == 1
    assert not list(tmp_path.glob("*.parquet"))
