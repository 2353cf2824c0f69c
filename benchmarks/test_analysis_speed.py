"""How fast ``perfkit report`` analyses a big store, and in how much memory, against decoding it.

The records are the demo's own (a ``perfkit bench`` run's recordings), repeated with new ids
and start times up to ``PERFKIT_BENCH_RECORDS`` (default 200,000; the README's figures are
from 1,000,000). The baseline is decoding the same records with ``json.loads``, in the same
run: what any reader of the store pays at least, and what the in-memory engine pays first.
``perfkit report`` runs as a user runs it, in a subprocess, whose peak memory is its own
(``RUSAGE_CHILDREN`` of a wrapper that runs nothing else). Run with ``make benchmarks`` or
``pytest benchmarks/test_analysis_speed.py -s``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from perfkit import labels
from perfkit.store import open_store

POSTGRESQL = "postgresql://postgres@127.0.0.1:5432/test"
RECORDS = int(os.environ.get("PERFKIT_BENCH_RECORDS", "200000"))
#: The in-memory engine needs ~4.4 KB a record: past this it is left out.
PYTHON_ENGINE_UP_TO = 200_000
#: The bound on the report's peak memory, whatever the store's size.
PEAK_MB = 500

_MEASURE = """
import resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(done.returncode, wall, peak, sep="\\n")
sys.stderr.write(done.stderr[-2000:])
"""


@pytest.fixture(scope="module")
def jsonl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JSON-lines store of RECORDS of the demo's recordings (``measured.txt`` beside it
    holds how many of them are measured requests)."""
    folder = tmp_path_factory.mktemp("analysis")
    subprocess.run(
        [sys.executable, "-m", "perfkit", "bench", "--output", str(folder / "demo")],
        cwd=folder,
        capture_output=True,
        check=True,
        timeout=1200,
    )
    demo = [json.loads(line) for line in (folder / "demo" / "recordings.jsonl").open()]
    path = folder / "recordings.jsonl"
    measured = 0
    with path.open("w") as out:
        for i in range(RECORDS):
            record = {**demo[i % len(demo)], "id": f"{i:032x}", "started_at": 1.79e9 + i / 100}
            measured += labels.measured(record["labels"])
            out.write(json.dumps(record, separators=(",", ":")) + "\n")
    (folder / "measured.txt").write_text(str(measured))
    os.sync()  # the kernel writes the 2 GB back now, not during the first measured report
    return path


@pytest.fixture(scope="module")
def sqlite(jsonl: Path) -> Path:
    """The same records in a SQLite store, written through the store."""
    path = jsonl.with_suffix(".sqlite3")
    _fill(f"sqlite:///{path}", jsonl)
    os.sync()
    return path


@pytest.fixture(scope="module")
def postgresql(jsonl: Path) -> Iterator[str]:
    """The same records in a PostgreSQL store (a table of its own, dropped afterwards)."""
    import psycopg

    table = f"perfkit_bench_{os.getpid()}"
    url = f"{POSTGRESQL}?table={table}"
    _fill(url, jsonl)
    yield url
    with psycopg.connect(POSTGRESQL, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {table}")


def _fill(url: str, jsonl: Path) -> None:
    store = open_store(url)
    batch: list[dict] = []
    with jsonl.open() as lines:
        for line in lines:
            batch.append(json.loads(line))
            if len(batch) == 5000:
                store.write(batch)
                batch.clear()
    store.write(batch)
    store.close()


def decode(path: Path) -> int:
    with path.open("rb") as lines:
        return sum(1 for line in lines if json.loads(line))


def report(store: str, json_path: Path, *extra: str) -> tuple[float, float]:
    """Wall seconds and peak MB of ``perfkit report --store STORE --json JSON_PATH``."""
    command = [sys.executable, "-m", "perfkit", "report", "--store", store, *extra]
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command, "--json", str(json_path)],
        capture_output=True,
        text=True,
        timeout=3600,
        env={**os.environ, "COLUMNS": "200"},
    )
    code, wall, peak = done.stdout.split()
    assert code == "0", done.stderr
    return float(wall), int(peak) / 1024


#: auto: DuckDB for every store (a PostgreSQL store's analysis columns copied out for it);
#: postgresql: inside the PostgreSQL server.
@pytest.mark.parametrize(
    ("kind", "engine"),
    [
        *(
            (kind, engine)
            for kind in ("jsonl", "sqlite", "postgresql")
            for engine in ("auto", "python")
        ),
        ("postgresql", "postgresql"),
    ],
)
def test_report_against_decoding(
    request: pytest.FixtureRequest, benchmark: pytest.FixtureDef, kind: str, engine: str
) -> None:
    if engine == "python" and RECORDS > PYTHON_ENGINE_UP_TO:
        pytest.skip(f"the in-memory engine would need ~{RECORDS * 4.4 / 1e6:.0f} GB")
    path = request.getfixturevalue(kind)
    jsonl_path = request.getfixturevalue("jsonl")
    started = time.perf_counter()
    assert decode(jsonl_path) == RECORDS
    decoding = time.perf_counter() - started
    url = {"jsonl": f"jsonl://{path}", "sqlite": f"sqlite:///{path}"}.get(kind, str(path))
    written = jsonl_path.parent / f"report-{kind}-{engine}.json"
    wall, peak = benchmark.pedantic(report, args=(url, written, "--engine", engine), rounds=1)
    benchmark.group = f"perfkit report of {RECORDS:,} records"
    benchmark.extra_info.update(
        records=RECORDS,
        wall_s=round(wall, 2),
        decode_s=round(decoding, 2),
        ratio_to_decode=round(wall / decoding, 2),
        peak_mb=round(peak),
        records_per_s=round(RECORDS / wall),
    )
    print(
        f"\n{kind} {engine}: {wall:.1f} s for {RECORDS:,} records (×{wall / decoding:.2f} of "
        f"decoding them, {decoding:.1f} s), peak {peak:.0f} MB"
    )
    if engine != "python":
        assert peak <= PEAK_MB
    measured = int((jsonl_path.parent / "measured.txt").read_text())
    assert json.loads(written.read_text())["records"] == measured
