"""The writer's child process: it writes what the thread hands it, answers for every batch, and
when it cannot start or stops answering the thread writes in its place, losing nothing."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from perfkit.recording import Recording
from perfkit.store import open_store, sink
from perfkit.store import writer as writer_module
from perfkit.store.rows import pending_row
from perfkit.store.writer import flush, shutdown, stats, submit
from tests.store import dicts, make_record, make_recording


@pytest.fixture(autouse=True)
def fresh_writer() -> Iterator[None]:
    assert shutdown(timeout=5)
    yield
    assert shutdown(timeout=5)


def send(records: list, url: str, batch_size: int = 100) -> None:
    assert all(
        submit(r, url, queue_size=10_000, batch_size=batch_size, child=True) for r in records
    )
    assert flush(timeout=20)


def child_process() -> sink.Sink:
    found = writer_module._writer
    assert found is not None and found.sink is not None
    return found.sink


def perfkit_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "perfkit"]


def test_a_child_process_writes_every_batch_exactly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/w.sqlite3"
    recordings = [make_recording(i) for i in range(700)]
    send([pending_row(r) for r in recordings], url)
    child = child_process()
    assert child.process.pid != os.getpid() and child.process.poll() is None
    assert stats() == {"submitted": 700, "written": 700, "dropped": 0, "errors": 0}
    store = open_store(url)
    assert dicts(store.read()) == dicts(recordings)
    store.close()
    assert shutdown(timeout=5)
    assert child.process.poll() == 0, "the child ends with its input"


def test_one_child_writes_to_each_store_in_turn(tmp_path: Path) -> None:
    first, second = f"jsonl://{tmp_path}/a.jsonl", f"sqlite:///{tmp_path}/b.sqlite3"
    send([make_record(i) for i in range(3)], first)
    pid = child_process().process.pid
    send([make_record(i, "s") for i in range(4)], second)
    assert child_process().process.pid == pid
    assert (open_store(first).count(), open_store(second).count()) == (3, 4)


def test_a_failing_store_is_counted_once_per_batch_by_the_same_child(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="perfkit")
    url = "redis://127.0.0.1:1/0"
    send([make_record(i) for i in range(30)], url, batch_size=10)
    pid = child_process().process.pid
    send([make_record(i, "s") for i in range(10)], url, batch_size=10)
    assert child_process().process.pid == pid, "a store's failure never costs the child"
    counters = stats()
    assert (counters["written"], counters["dropped"]) == (0, 40)
    assert 4 <= counters["errors"] <= 40
    (warning,) = perfkit_warnings(caplog)
    assert "redis://127.0.0.1:1/0" in warning and "redis store write failed" in warning


def test_a_child_that_cannot_start_leaves_the_writing_to_the_thread(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="perfkit")
    fake = tmp_path / "python3"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(fake))
    url = f"sqlite:///{tmp_path}/w.sqlite3"
    send([make_record(i) for i in range(250)], url)
    assert stats() == {"submitted": 250, "written": 250, "dropped": 0, "errors": 0}
    assert open_store(url).count() == 250
    (warning,) = perfkit_warnings(caplog)
    assert "child process" in warning and "writing from this one" in warning
    assert writer_module._writer is not None and writer_module._writer.sink is None


def test_a_child_killed_between_batches_loses_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="perfkit")
    url = f"sqlite:///{tmp_path}/w.sqlite3"
    send([make_record(i) for i in range(100)], url)
    child = child_process()
    child.process.kill()
    child.process.wait()
    send([make_record(i, "s") for i in range(100)], url)
    assert stats() == {"submitted": 200, "written": 200, "dropped": 0, "errors": 0}
    assert open_store(url).count() == 200
    assert len(perfkit_warnings(caplog)) == 1


def test_an_interrupt_reaches_the_parent_not_the_child(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/w.sqlite3"
    send([make_record(0)], url)
    child = child_process()
    os.kill(child.process.pid, signal.SIGINT)
    send([make_record(1)], url)  # answered by the same child
    assert child_process() is child and child.process.poll() is None
    assert stats()["written"] == 2


def test_what_marshal_cannot_hold_is_written_by_the_thread(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/w.sqlite3"
    recording = make_recording(1)
    send([recording], url)
    assert writer_module._writer is not None and writer_module._writer.sink is None
    assert dicts(open_store(url).read()) == dicts([recording])
    assert isinstance(recording, Recording)


@pytest.mark.parametrize(
    ("url", "usable"),
    [
        ("sqlite:////tmp/x.sqlite3", True),
        ("jsonl:///tmp/x.jsonl", True),
        ("postgresql://127.0.0.1/test", True),
        ("redis://127.0.0.1:6379/0", True),
        ("sqlite:///:memory:", False),
        ("slow://", False),
    ],
)
def test_only_stores_another_process_reaches_go_to_a_child(url: str, usable: bool) -> None:
    assert sink.usable_for(url) is usable


def test_an_interpreter_that_is_not_python_writes_in_its_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "executable", "/usr/bin/uwsgi")
    assert not sink.usable_for("sqlite:////tmp/x.sqlite3")


def test_the_child_imports_no_django() -> None:
    # What the child runs, up to the store it writes to: its imports, then every store's.
    code = sink._MAIN.replace("main()", "") + (
        "import perfkit.store.sqlite, perfkit.store.jsonl, perfkit.store.redis,"
        " perfkit.store.postgresql; from perfkit.store import as_row, open_store;"
        " print(sorted(sys.modules))"
    )
    modules = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "'perfkit.store.sink'" in modules and "django" not in modules
