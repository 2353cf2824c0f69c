"""How fast ``perfkit report`` analyses a big store: records per second, against JSON decoding.

The baseline is decoding the same records from JSON (what reading any store costs at least);
the analysis (building Recordings and the Report) is stated as a multiple of it.
"""

from __future__ import annotations

import json
import os
import random

import pytest

from perfkit.analysis import analyse
from perfkit.commands.report import load
from perfkit.fingerprint import fingerprint
from perfkit.recording import QueryEvent, Recording

RECORDS = int(os.environ.get("PERFKIT_BENCH_RECORDS", "200000"))
VIEWS = [f"shop:view_{i}" for i in range(40)]
SQL = [fingerprint(f'SELECT "t{i}"."id" FROM "t{i}" WHERE "t{i}"."id" = %s') for i in range(30)]


def _record(rng: random.Random, i: int) -> str:
    view = rng.choice(VIEWS)
    queries = [
        QueryEvent("default", fp, sql, rng.random(), 1, f"app/views.py:{n} in v", False, None, 7)
        for n, (fp, sql) in enumerate(rng.sample(SQL, rng.randint(1, 8)))
    ]
    recording = Recording(
        f"{i:032x}",
        1.7e9 + i,
        "GET",
        view=view,
        status=200,
        wall_ms=rng.random() * 50,
        body_hash=str(rng.randint(0, 3)),
        queries=queries,
    )
    return json.dumps(recording.to_dict())


@pytest.fixture(scope="module")
def lines() -> list[str]:
    rng = random.Random(1)
    return [_record(rng, i) for i in range(RECORDS)]


def _decode(lines: list[str]) -> list[dict]:
    return [json.loads(line) for line in lines]


def _report(lines: list[str]) -> int:
    recordings, _ = load(iter(_decode(lines)), None, [], False)
    return len(analyse(recordings, source="bench", relations={}).views)


def test_decode_only(benchmark, lines) -> None:
    benchmark.group = f"analysis of {RECORDS:,} records"
    benchmark.extra_info["records"] = RECORDS
    assert len(benchmark.pedantic(_decode, args=(lines,), rounds=3, iterations=1)) == RECORDS


def test_report(benchmark, lines) -> None:
    benchmark.group = f"analysis of {RECORDS:,} records"
    benchmark.extra_info["records"] = RECORDS
    assert benchmark.pedantic(_report, args=(lines,), rounds=3, iterations=1) == len(VIEWS)
