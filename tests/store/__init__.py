"""Shared helpers for the store tests: realistic records and concurrent writer processes."""

from __future__ import annotations

import multiprocessing
import random
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from perfkit.errors import CorruptRecordError
from perfkit.recording import CacheEvent, QueryEvent, Recording
from perfkit.store import open_store
from perfkit.store.base import Store


def make_recording(index: int, prefix: str = "r") -> Recording:
    """A full Recording with values that must survive a round trip exactly."""
    return Recording(
        id=f"{prefix}{index:06d}",
        started_at=1_700_000_000.0 + index * 0.001,
        method="GET" if index % 2 else "POST",
        view=f"demo.views.view_{index % 5}",
        url_name="product-detail",
        route="products/<int:pk>/",
        status=200 if index % 7 else 404,
        wall_ms=12.345678 + index,
        cpu_ms=3.25,
        response_bytes=1024 + index,
        authenticated=bool(index % 3),
        queries=[
            QueryEvent(
                alias="default",
                fingerprint="select * from demo_product where id = ?",
                sql='SELECT * FROM "demo_product" WHERE "id" = %s',
                duration_ms=0.125,
                rows=1,
                callsite="perfkit/demo/views.py:42",
            )
        ],
        cache_ops=[
            CacheEvent(
                alias="default", op="get", key_pattern="product:*", duration_ms=0.5, hit=True
            )
        ],
        labels={"scenario": "unit", "ünïcode": "✓"},
    )


def make_record(index: int, prefix: str = "r") -> dict[str, Any]:
    """``make_recording(index, prefix).to_dict()``: the plain dict a store is given."""
    return make_recording(index, prefix).to_dict()


def dicts(recordings: Iterable[Recording]) -> list[dict[str, Any]]:
    """What a store gave back, as the plain dicts it was given."""
    return [recording.to_dict() for recording in recordings]


def assert_latest_per_view(store: Store) -> None:
    """``store.latest``: a view's newest records, oldest first, none of another view's."""
    records = [make_record(i) for i in range(60)]
    store.write(records)
    view = records[0]["view"]
    mine = [r for r in records if r["view"] == view]
    assert len(mine) == 12
    assert dicts(store.latest(view, 5)) == mine[-5:]
    assert dicts(store.latest(view, 100)) == mine
    assert store.latest("no.such.view", 5) == []


def assert_between_reads_a_time_window(store: Store) -> None:
    """``store.between``: the records that started in the window, ends included, in order."""
    records = [make_record(i) for i in range(40)]
    store.write(list(reversed(records)))
    start, end = records[10]["started_at"], records[29]["started_at"]
    assert dicts(store.between(start, end)) == records[10:30]
    assert store.between(end + 1, end + 2) == []


def assert_reads_recordings(store: Store) -> None:
    """``read``, ``latest`` and ``between`` give back Recording objects equal to those written."""
    recordings = [make_recording(i) for i in range(10)]
    store.write([recording.to_dict() for recording in recordings])
    view = recordings[0].view
    read, latest = list(store.read()), store.latest(view, 5)
    between = store.between(recordings[2].started_at, recordings[7].started_at)
    for found in (read, latest, between):
        assert found and all(type(recording) is Recording for recording in found)
    assert read == recordings
    assert latest == [r for r in recordings if r.view == view]
    assert between == recordings[2:8]


def assert_pages_in_order(store: Store, page: int) -> None:
    """``read`` of a store holding several pages of ``page`` records (runs of equal
    started_at across page borders, written out of order): every record once, in
    (started_at, id) order."""
    records = [make_record(i) for i in range(page * 4 + 3)]
    for index, record in enumerate(records):
        record["started_at"] = 1_700_000_000.0 + index // 5  # five at a time share one
    written = records[1::2] + records[::2]
    for start in range(0, len(written), page):
        store.write(written[start : start + page])
    expected = sorted(records, key=lambda r: (r["started_at"], r["id"]))
    assert dicts(store.read()) == expected


def assert_corrupt_record_is_named(
    store: Store, spoil: Callable[[], None], where: str, problem: str
) -> None:
    """A record ``spoil`` stores behind the store's back stops ``read`` with one error
    naming the store, ``where`` and ``problem``; with ``on_corrupt`` it is handed over and
    left out, and every good record still comes back."""
    records = [make_record(i) for i in range(3)]
    store.write(records[:2])
    spoil()
    store.write(records[2:])
    with pytest.raises(CorruptRecordError) as info:
        list(store.read())
    assert (info.value.store, info.value.where, info.value.problem) == (store.url, where, problem)
    assert str(info.value) == f"corrupt record in {store.url}, {where}: {problem}"
    skipped: list[CorruptRecordError] = []
    assert dicts(store.read(skipped.append)) == records
    assert [error.where for error in skipped] == [where]
    assert store.count() == 4  # the corrupt record is still there: reading deletes nothing


def assert_missing_until_written(store: Store, missing: str, gone: Callable[[], bool]) -> None:
    """A store nothing was written to says what is missing, reads as empty and is left
    uncreated (``gone()`` checks that behind the store's back); the first write creates it."""
    assert store.missing() == missing
    assert (list(store.read()), store.latest("v", 5), store.count()) == ([], [], 0)
    store.clear()
    assert gone()
    store.write([make_record(1)])
    assert store.missing() is None
    assert [r.id for r in store.read()] == ["r000001"]
    assert not gone()


#: A cut-off between ``make_record``'s start times (2023) and those ``fresh_record`` gives.
CUTOFF = 1_800_000_000.0


def fresh_record(index: int, prefix: str) -> dict[str, Any]:
    """A record that started after ``CUTOFF``: one a prune at ``CUTOFF`` must keep."""
    return {**make_record(index, prefix), "started_at": CUTOFF + 1 + index}


def assert_prunes_before(store: Store) -> None:
    """``prune(before)``: exactly the records that started before the cut-off go, over many
    batches and in whatever order they were written; one at the cut-off stays, and a prune
    with nothing to do removes 0."""
    store.prune_batch = 7
    records = [make_record(i) for i in range(60)]
    mixed = records[:]
    random.Random(4).shuffle(mixed)
    store.write(mixed)
    before = records[45]["started_at"]
    assert store.count_before(before) == 45
    assert store.prune(before) == 45
    assert sorted(r.id for r in store.read()) == [r["id"] for r in records[45:]]
    assert store.count() == 15
    assert store.prune(before) == 0
    assert store.count_before(records[50]["started_at"]) == 5


def assert_prune_of_a_missing_store_creates_nothing(store: Store, gone: Callable[[], bool]) -> None:
    """A store that does not exist prunes to 0, and still does not exist."""
    assert (store.count_before(CUTOFF), store.prune(CUTOFF)) == (0, 0)
    assert gone()


def assert_prune_loses_no_concurrent_write(url: str, old: int = 3000, batch: int = 50) -> None:
    """A writer on a store of its own (as another process's would be) writes fresh records
    all the while a prune removes ``old`` records in batches of ``batch``: afterwards every
    fresh record is there, the ones written before and during the prune, and no old one."""
    store = open_store(url)
    store.prune_batch = batch
    olds = [make_record(i, "old-") for i in range(old)]
    seeded = [fresh_record(i, "seeded-") for i in range(old // 3)]
    mixed = olds + seeded
    random.Random(7).shuffle(mixed)
    for start in range(0, len(mixed), 500):
        store.write(mixed[start : start + 500])
    written: list[str] = []
    during = 0
    started, pruning, stop = threading.Event(), threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def write() -> None:
        nonlocal during
        writer = open_store(url)
        try:
            batch_number = 0
            while not stop.is_set() or batch_number < 3:
                records = [fresh_record(batch_number * 10 + i, "w-") for i in range(10)]
                writer.write(records)
                written.extend(r["id"] for r in records)
                during += pruning.is_set() and not stop.is_set()
                batch_number += 1
                started.set()
        except BaseException as error:  # handed to the test thread, which fails with it
            failures.append(error)
            started.set()
        finally:
            writer.close()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        assert started.wait(timeout=60)
        pruning.set()
        removed = store.prune(CUTOFF)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not failures, failures
    assert during > 0, "no batch was written while the prune ran: the test proved nothing"
    assert removed == old
    ids = [r.id for r in store.read()]
    assert len(ids) == len(set(ids))
    assert set(ids) == {r["id"] for r in seeded} | set(written)
    assert store.count_before(CUTOFF) == 0
    store.close()


def free_port() -> int:
    """A TCP port nothing is listening on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_in_process(url: str, prefix: str, count: int, batch: int, barrier: Any) -> None:
    store = open_store(url)
    records = [make_record(i, prefix) for i in range(count)]
    barrier.wait(timeout=30)
    for start in range(0, count, batch):
        store.write(records[start : start + batch])
    store.close()


def write_from_processes(url: str, processes: int = 4, count: int = 250, batch: int = 10) -> None:
    """Have ``processes`` spawned processes each write ``count`` records to ``url`` at once."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes)
    workers = [
        context.Process(target=_write_in_process, args=(url, f"p{n}-", count, batch, barrier))
        for n in range(processes)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0] * processes
