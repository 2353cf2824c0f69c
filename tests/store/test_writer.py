"""Background writer: exact counters, non-blocking drops, failing stores, fork and exit."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from perfkit.store import Store, open_store
from perfkit.store import writer as writer_module
from perfkit.store.redis import RedisStore
from perfkit.store.writer import flush, shutdown, stats, submit
from tests.store import dicts, free_port, make_record

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fresh_writer() -> Iterator[None]:
    assert shutdown(timeout=5)
    yield
    assert shutdown(timeout=5)


def wait_for(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met before the deadline"
        time.sleep(0.005)


def perfkit_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "perfkit" and r.levelno == logging.WARNING
    ]


class SlowStore(Store):
    """A test double for a store that is slower than the traffic: write waits for release."""

    url = "slow://"

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.records: list[dict[str, Any]] = []

    def write(self, records: list[dict[str, Any]]) -> None:
        self.entered.set()
        assert self.release.wait(10)
        self.records.extend(records)

    def entries(self) -> Iterator[tuple[str, Any]]:
        return iter([(f"index {i}", record) for i, record in enumerate(self.records)])

    def missing(self) -> str | None:
        return None

    def count(self) -> int:
        return len(self.records)

    def clear(self) -> None:
        self.records.clear()

    def prune(self, before: float) -> int:
        kept = [r for r in self.records if r["started_at"] >= before]
        removed, self.records[:] = len(self.records) - len(kept), kept
        return removed


def test_thousand_submits_are_all_written(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/w.sqlite3"
    assert stats() == {"submitted": 0, "written": 0, "dropped": 0, "errors": 0}
    records = [make_record(i) for i in range(1000)]
    assert all(submit(r, url, queue_size=10_000, batch_size=100) for r in records)
    assert flush(timeout=10)
    assert stats() == {"submitted": 1000, "written": 1000, "dropped": 0, "errors": 0}
    store = open_store(url)
    assert store.count() == 1000
    assert dicts(store.read()) == records
    store.close()


def test_nothing_submitted_flushes_immediately() -> None:
    assert flush(timeout=0)
    assert stats() == {"submitted": 0, "written": 0, "dropped": 0, "errors": 0}


def test_full_queue_drops_without_blocking(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="perfkit")
    slow = SlowStore()
    monkeypatch.setattr(writer_module, "open_store", lambda url: slow)
    try:
        assert submit(make_record(0), "slow://", queue_size=10, batch_size=5)
        wait_for(slow.entered.is_set)  # the thread holds record 0 inside write()
        # The writer is held inside its first write() until release is set: a submit that
        # waited for room would wait for that write, which cannot end before release (a
        # timing bound here would flake on a busy machine; this order cannot).
        results = [
            submit(make_record(i), "slow://", queue_size=10, batch_size=5) for i in range(1, 31)
        ]
        assert slow.records == []
        assert results == [True] * 10 + [False] * 20
        assert stats() == {"submitted": 31, "written": 0, "dropped": 20, "errors": 0}
        assert not flush(timeout=0.05)
    finally:
        slow.release.set()
    assert flush(timeout=5)
    assert stats() == {"submitted": 31, "written": 11, "dropped": 20, "errors": 0}
    assert [r["id"] for r in slow.records] == [f"r{i:06d}" for i in range(11)]
    warnings = perfkit_warnings(caplog)
    assert len(warnings) == 1
    assert "queue is full (10)" in warnings[0]


def test_concurrent_submitters_keep_counters_exact(tmp_path: Path) -> None:
    url = f"jsonl://{tmp_path}/threads.jsonl"
    accepted = [0] * 8

    def hammer(n: int) -> None:
        for i in range(250):
            if submit(make_record(i, f"t{n}-"), url, queue_size=50, batch_size=10):
                accepted[n] += 1

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert flush(timeout=10)
    counters = stats()
    assert counters["submitted"] == 2000
    assert counters["errors"] == 0
    assert counters["written"] == sum(accepted)
    assert counters["written"] + counters["dropped"] == 2000
    assert open_store(url).count() == counters["written"]


def test_unreachable_redis_drops_everything_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="perfkit")
    url = "redis://127.0.0.1:1/0"
    assert all(submit(make_record(i), url, queue_size=1000, batch_size=10) for i in range(50))
    assert flush(timeout=10)  # every batch failed and was counted, none is still waiting
    counters = stats()
    assert counters["submitted"] == 50
    assert counters["written"] == 0
    assert counters["dropped"] == 50
    assert 5 <= counters["errors"] <= 50  # one per failed batch of at most 10
    warnings = perfkit_warnings(caplog)
    assert len(warnings) == 1
    assert "redis://127.0.0.1:1/0" in warnings[0]
    assert "redis store write failed" in warnings[0]


def test_bad_store_url_is_counted_and_retried(tmp_path: Path) -> None:
    for i in range(3):
        assert submit(make_record(i), "nope://x", queue_size=100, batch_size=10)
    assert flush(timeout=5)
    first = stats()
    assert first["dropped"] == 3
    assert first["written"] == 0
    assert first["errors"] >= 1
    url = f"sqlite:///{tmp_path}/after.sqlite3"
    assert submit(make_record(9), url, queue_size=100, batch_size=10)
    assert flush(timeout=5)
    assert stats() == {"submitted": 4, "written": 1, "dropped": 3, "errors": first["errors"]}


def test_store_raising_anything_never_kills_the_thread(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls = []

    class Exploding(SlowStore):
        def write(self, records: list[dict[str, Any]]) -> None:
            calls.append(len(records))
            if len(calls) == 1:
                raise ZeroDivisionError("boom")
            self.records.extend(records)

    store = Exploding()
    monkeypatch.setattr(writer_module, "open_store", lambda url: store)
    assert submit(make_record(1), "x://", queue_size=10, batch_size=1)
    assert flush(timeout=5)
    assert submit(make_record(2), "x://", queue_size=10, batch_size=1)
    assert flush(timeout=5)
    assert stats() == {"submitted": 2, "written": 1, "dropped": 1, "errors": 1}
    assert [r["id"] for r in store.records] == ["r000002"]


def test_changed_store_url_switches_stores_in_order(tmp_path: Path) -> None:
    first, second = f"sqlite:///{tmp_path}/a.sqlite3", f"jsonl://{tmp_path}/b.jsonl"
    for i in range(5):
        submit(make_record(i), first, queue_size=100, batch_size=50)
    for i in range(5, 12):
        submit(make_record(i), second, queue_size=100, batch_size=50)
    for i in range(12, 15):
        submit(make_record(i), first, queue_size=100, batch_size=50)
    assert flush(timeout=5)
    assert stats() == {"submitted": 15, "written": 15, "dropped": 0, "errors": 0}
    assert [r.id for r in open_store(first).read()] == [
        f"r{i:06d}" for i in [*range(5), *range(12, 15)]
    ]
    assert [r.id for r in open_store(second).read()] == [f"r{i:06d}" for i in range(5, 12)]


def test_redis_killed_mid_run_drops_then_recovers(tmp_path: Path) -> None:
    port = free_port()
    command = ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"]
    command += ["--dir", str(tmp_path)]

    def start() -> subprocess.Popen[bytes]:
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        client = redis.Redis(port=port, socket_connect_timeout=0.2)

        def ready() -> bool:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        wait_for(ready)
        client.close()
        return server

    key = f"perfkit:test:{uuid.uuid4().hex}"
    url = f"redis://127.0.0.1:{port}/0?key={key}"
    server = start()
    try:
        for i in range(20):
            submit(make_record(i), url, queue_size=1000, batch_size=10)
        assert flush(timeout=5)
        assert stats() == {"submitted": 20, "written": 20, "dropped": 0, "errors": 0}
        server.kill()
        server.wait(timeout=5)
        for i in range(20, 50):
            assert submit(make_record(i), url, queue_size=1000, batch_size=10)
        assert flush(timeout=10)
        down = stats()
        assert down["submitted"] == 50
        assert down["written"] == 20
        assert down["dropped"] == 30
        assert down["errors"] >= 3
        server = start()  # a fresh, empty server on the same port
        for i in range(50, 60):
            assert submit(make_record(i), url, queue_size=1000, batch_size=10)
        assert flush(timeout=5)
        assert stats()["written"] == 30
        reader = RedisStore(url)
        assert [r.id for r in reader.read()] == [f"r{i:06d}" for i in range(50, 60)]
        reader.close()
    finally:
        server.kill()
        server.wait(timeout=5)


def test_writer_restarts_in_a_forked_child(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/fork.sqlite3"
    for i in range(10):
        submit(make_record(i, "parent-"), url, queue_size=1000, batch_size=10)
    assert flush(timeout=5)
    parent_thread = writer_module._writer.thread
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork() with threads
        pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            fresh = stats() == {"submitted": 0, "written": 0, "dropped": 0, "errors": 0}
            ok = all(
                submit(make_record(i, "child-"), url, queue_size=1000, batch_size=10)
                for i in range(100)
            )
            flushed = flush(timeout=10)
            exact = stats() == {"submitted": 100, "written": 100, "dropped": 0, "errors": 0}
            new_thread = writer_module._writer.thread is not parent_thread
            code = 0 if fresh and ok and flushed and exact and new_thread else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert writer_module._writer.thread is parent_thread
    for i in range(10, 15):
        submit(make_record(i, "parent-"), url, queue_size=1000, batch_size=10)
    assert flush(timeout=5)
    assert stats() == {"submitted": 15, "written": 15, "dropped": 0, "errors": 0}
    ids = [r.id for r in open_store(url).read()]
    assert len(ids) == 115
    assert sum(i.startswith("child-") for i in ids) == 100


def test_normal_exit_writes_what_is_queued(tmp_path: Path) -> None:
    url = f"jsonl://{tmp_path}/exit.jsonl"
    code = (
        "import sys\n"
        "from perfkit.store.writer import submit\n"
        "from tests.store import make_record\n"
        "for i in range(500):\n"
        "    submit(make_record(i), sys.argv[1], queue_size=1000, batch_size=7)\n"
        "sys.exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code, url], cwd=ROOT, check=True, timeout=60)
    assert open_store(url).count() == 500


def test_shutdown_resets_state_and_counters(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/reset.sqlite3"
    submit(make_record(1), url, queue_size=10, batch_size=10)
    first_thread = writer_module._writer.thread
    assert shutdown(timeout=5)
    assert not first_thread.is_alive()
    assert writer_module._writer is None
    assert stats() == {"submitted": 0, "written": 0, "dropped": 0, "errors": 0}
    assert open_store(url).count() == 1
    submit(make_record(2), url, queue_size=10, batch_size=10)
    assert flush(timeout=5)
    assert writer_module._writer.thread is not first_thread
    assert stats() == {"submitted": 1, "written": 1, "dropped": 0, "errors": 0}


def test_submit_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", broken)
    assert (
        submit(make_record(1), "sqlite:////tmp/never.sqlite3", queue_size=1, batch_size=1) is False
    )
    assert stats() == {"submitted": 1, "written": 0, "dropped": 1, "errors": 1}
