"""What ``perfkit store prune`` costs a writer: its longest wait while a prune runs beside it.

Each store's prune is measured against the naive job it replaces, on the same records in
the same run: for SQLite one ``DELETE … WHERE started_at < ?``, for Redis scripts over
windows of 5,000 items (the SQL stores' batch; one script over the whole list outlasts the
writers' 1 s socket timeout), for JSON lines the whole rewrite under ``LOCK_EX``. A writer
process writes batches of 10 records all the while; its longest batch is saved as
``longest_write_ms`` (the number that matters to requests) and its failed batches as
``failed_writes``; the prune's own time is the benchmark's.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import shutil
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from perfkit.errors import StoreError
from perfkit.store import open_store
from perfkit.store import redis as redis_store
from perfkit.store.records import started_at
from tests.store import CUTOFF, fresh_record, make_record

OLD = int(os.environ.get("PERFKIT_BENCH_RECORDS", "100000"))
REDIS = "redis://127.0.0.1:6379/14"


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """One store of each kind holding ``OLD`` records older than the cut-off and a fifth as
    many newer, shuffled together: the originals each round copies."""
    root = tmp_path_factory.mktemp("prune")
    urls = {
        "sqlite": f"sqlite:///{root}/seed.sqlite3",
        "jsonl": f"jsonl://{root}/seed.jsonl",
        "redis": f"{REDIS}?key=perfkit:bench:{uuid.uuid4().hex}",
    }
    records = [make_record(i, "old-") for i in range(OLD)]
    for i in range(OLD // 5):
        records.insert(i * 5, fresh_record(i, "seeded-"))
    for url in urls.values():
        store = open_store(url)
        for start in range(0, len(records), 5000):
            store.write(records[start : start + 5000])
        store.close()
    yield urls
    client = redis.Redis.from_url(REDIS)
    client.delete(open_store(urls["redis"]).key)  # type: ignore[attr-defined]
    client.close()


def _copy(seed: str, root: Path) -> str:
    """A fresh copy of the seed store at ``seed``; its URL."""
    if seed.startswith("redis"):
        key = f"perfkit:bench:{uuid.uuid4().hex}"
        client = redis.Redis.from_url(REDIS)
        client.copy(open_store(seed).key, key)  # type: ignore[attr-defined]
        client.close()
        return f"{REDIS}?key={key}"
    source = seed.partition("://")[2].lstrip("/")
    target = root / f"{uuid.uuid4().hex}{Path(source).suffix}"
    shutil.copyfile(f"/{source}", target)
    return f"{seed.partition('://')[0]}:///{target}"


def _prune(url: str) -> int:
    store = open_store(url)
    try:
        return store.prune(CUTOFF)
    finally:
        store.close()


def _one_sqlite_statement(url: str) -> int:
    path = url.partition(":///")[2]
    with sqlite3.connect(path, timeout=60, isolation_level=None) as conn:
        return conn.execute("DELETE FROM recordings WHERE started_at < ?", (CUTOFF,)).rowcount


def _redis_windows_of_5000(url: str) -> int:
    window, redis_store.PRUNE_WINDOW = redis_store.PRUNE_WINDOW, 5000
    try:
        return _prune(url)
    finally:
        redis_store.PRUNE_WINDOW = window


def _jsonl_rewrite_under_the_lock(url: str) -> int:
    path = url.partition("://")[2]
    removed = 0
    with open(path, "rb") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        descriptor, temporary = tempfile.mkstemp(dir=os.path.dirname(path))
        with open(descriptor, "wb") as kept:
            for line in file:
                start = started_at(line)
                if start is not None and start < CUTOFF:
                    removed += 1
                else:
                    kept.write(line)
        os.replace(temporary, path)
    return removed


def _write(url: str, ready: Any, done: Any, longest: Any, failed: Any) -> None:
    """A writer process: batches of 10 fresh records until ``done``; its longest batch in
    ms and its failed batches (a timeout the middleware would count as dropped) go back."""
    writer, n = open_store(url), 0
    while not done.is_set():
        records = [fresh_record(n * 10 + i, f"w{n}-") for i in range(10)]
        began = time.perf_counter()
        try:
            writer.write(records)
        except StoreError:
            failed.value += 1
        longest.value = max(longest.value, (time.perf_counter() - began) * 1000)
        n += 1
        ready.set()
    writer.close()


def _beside_a_writer(delete: Callable[[str], int], url: str) -> tuple[int, float, int]:
    """Run ``delete`` on the store at ``url`` while a writer process (as a web server's
    would be: its own interpreter) writes to it; return what it removed, the writer's longest
    batch in ms and how many of its batches failed."""
    context = multiprocessing.get_context("spawn")
    ready, done = context.Event(), context.Event()
    longest, failed = context.Value("d", 0.0), context.Value("i", 0)
    writer = context.Process(target=_write, args=(url, ready, done, longest, failed))
    writer.start()
    try:
        assert ready.wait(timeout=120)
        removed = delete(url)
    finally:
        done.set()
        writer.join(timeout=120)
    return removed, longest.value, failed.value


CASES = {
    ("sqlite", "one DELETE"): _one_sqlite_statement,
    ("sqlite", "prune"): _prune,
    ("redis", "windows of 5000"): _redis_windows_of_5000,
    ("redis", "prune"): _prune,
    ("jsonl", "rewrite under LOCK_EX"): _jsonl_rewrite_under_the_lock,
    ("jsonl", "prune"): _prune,
}


@pytest.mark.parametrize(("kind", "how"), CASES, ids=[f"{k}-{h}" for k, h in CASES])
def test_prune_beside_a_writer(
    benchmark, seeds: dict[str, str], tmp_path: Path, kind: str, how: str
) -> None:
    benchmark.group = f"{kind}: remove {OLD:,} old records beside a writer"
    waits: list[float] = []
    failures: list[int] = []
    copies: list[str] = []

    def setup() -> tuple[tuple, dict]:
        copies.append(_copy(seeds[kind], tmp_path))
        return (copies[-1],), {}

    def run(url: str) -> int:
        removed, longest, failed = _beside_a_writer(CASES[kind, how], url)
        waits.append(longest)
        failures.append(failed)
        return removed

    try:
        assert benchmark.pedantic(run, setup=setup, rounds=3, iterations=1) == OLD
    finally:
        for url in copies:
            if url.startswith("redis"):
                open_store(url).clear()
    benchmark.extra_info["longest_write_ms"] = round(max(waits), 1)
    benchmark.extra_info["failed_writes"] = sum(failures)
