"""What ``perfkit store prune`` costs a writer: its longest wait while a prune runs beside it.

The baseline is the same old records deleted by one statement, as a naive retention job
would (``DELETE … WHERE started_at < ?``): a writer waits for all of it. The prune, in
batches of 5,000 rows, is stated against it twice: its own time (batching costs a little)
and the longest write a writer thread saw meanwhile (the number that matters to requests).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from perfkit.store import open_store
from perfkit.store.sqlite import SQLiteStore
from tests.store import CUTOFF, fresh_record, make_record

OLD = int(os.environ.get("PERFKIT_BENCH_RECORDS", "100000"))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store of ``OLD`` records older than the cut-off and a fifth as many newer."""
    path = tmp_path_factory.mktemp("prune") / "seed.sqlite3"
    store = open_store(f"sqlite:///{path}")
    for start in range(0, OLD, 5000):
        store.write([make_record(i, "old-") for i in range(start, min(start + 5000, OLD))])
    store.write([fresh_record(i, "seeded-") for i in range(OLD // 5)])
    store.close()
    return path


def _one_statement(path: Path) -> int:
    with sqlite3.connect(path, timeout=60, isolation_level=None) as conn:
        return conn.execute("DELETE FROM recordings WHERE started_at < ?", (CUTOFF,)).rowcount


def _batched(path: Path) -> int:
    store = SQLiteStore(f"sqlite:///{path}")
    try:
        return store.prune(CUTOFF)
    finally:
        store.close()


def _beside_a_writer(delete: Callable[[Path], int], path: Path) -> tuple[int, float]:
    """Run ``delete`` on ``path`` while a writer thread writes batches of 10 records to it;
    return what it removed and the writer's longest batch, in ms."""
    done, longest = threading.Event(), [0.0]

    def write() -> None:
        writer, n = SQLiteStore(f"sqlite:///{path}"), 0
        while not done.is_set():
            began = time.perf_counter()
            writer.write([fresh_record(n * 10 + i, "w-") for i in range(10)])
            longest[0] = max(longest[0], (time.perf_counter() - began) * 1000)
            n += 1
        writer.close()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        removed = delete(path)
    finally:
        done.set()
        thread.join()
    return removed, longest[0]


@pytest.mark.parametrize("delete", [_one_statement, _batched], ids=["one-statement", "batched"])
def test_prune_beside_a_writer(benchmark, seeded: Path, tmp_path: Path, delete) -> None:
    benchmark.group = f"prune {OLD:,} old records beside a writer"
    target, waits = tmp_path / "store.sqlite3", []

    def setup() -> tuple[tuple, dict]:
        shutil.copyfile(seeded, target)
        return (delete, target), {}

    def run(delete: Callable[[Path], int], path: Path) -> int:
        removed, longest = _beside_a_writer(delete, path)
        waits.append(longest)
        return removed

    assert benchmark.pedantic(run, setup=setup, rounds=3, iterations=1) == OLD
    benchmark.extra_info["longest_write_ms"] = round(max(waits), 1)
