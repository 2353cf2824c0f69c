"""JSON Lines store: exact round trip, torn lines, URL forms and four concurrent processes."""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from pathlib import Path

import pytest

from perfkit.errors import CorruptRecordError, StoreError
from perfkit.store import open_store
from perfkit.store.jsonl import JSONLStore, parse_jsonl_url
from tests.store import (
    CUTOFF,
    assert_between_reads_a_time_window,
    assert_corrupt_record_is_named,
    assert_latest_per_view,
    assert_missing_until_written,
    assert_prune_loses_no_concurrent_write,
    assert_prune_of_a_missing_store_creates_nothing,
    assert_prunes_before,
    assert_reads_recordings,
    dicts,
    fresh_record,
    make_record,
    write_from_processes,
)


def test_round_trip_is_exact_and_in_append_order(tmp_path: Path) -> None:
    store = open_store(f"jsonl://{tmp_path}/sub/recordings.jsonl")
    assert isinstance(store, JSONLStore)
    assert store.count() == 0
    assert list(store.read()) == []
    records = [make_record(i) for i in range(30)]
    store.write(records[:10])
    store.write(records[10:])
    assert store.count() == 30
    assert dicts(store.read()) == records
    lines = (tmp_path / "sub" / "recordings.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == records
    store.clear()
    assert store.count() == 0
    store.write(records[:2])
    assert dicts(store.read()) == records[:2]


def test_torn_lines_are_reported_and_isolated(tmp_path: Path) -> None:
    path = tmp_path / "torn.jsonl"
    store = JSONLStore(f"jsonl://{path}")
    store.write([make_record(1)])
    with path.open("ab") as file:
        file.write(b'{"id": "half-writ')  # a writer died mid-line
    with pytest.raises(CorruptRecordError, match=r"line 2 \(torn: no newline\): not JSON"):
        list(store.read())
    store.write([make_record(2)])  # must not glue onto the torn line
    whole = {**make_record(3), "id": "no-newline-but-whole"}
    with path.open("ab") as file:
        file.write(b'[1, 2]\n\n{"view": "v"}\n' + json.dumps(whole).encode())
    skipped: list[CorruptRecordError] = []
    ids = [r.id for r in store.read(skipped.append)]
    assert ids == ["r000001", "r000002", "no-newline-but-whole"]
    assert [(error.where, error.problem) for error in skipped] == [
        ("line 2", "not JSON (Invalid control character at: char 17)"),
        ("line 4", "a JSON list, not an object"),
        ("line 6", "a JSON object without an id"),  # line 5 is blank: no record, no error
    ]
    assert store.count() == 6


def test_a_corrupt_line_is_named_by_its_number(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.jsonl"

    def spoil() -> None:
        with path.open("ab") as file:
            file.write(b"{not json\n")

    assert_corrupt_record_is_named(
        JSONLStore(f"jsonl://{path}"),
        spoil,
        "line 3",
        "not JSON (Expecting property name enclosed in double quotes: char 1)",
    )


def test_reading_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "nosuch" / "x.jsonl"
    store = JSONLStore(f"jsonl://{path}")
    assert_missing_until_written(store, f"no file {path}", lambda: not path.parent.exists())


def test_url_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert parse_jsonl_url("jsonl:///abs/x.jsonl") == "/abs/x.jsonl"
    assert parse_jsonl_url("jsonl://rel.jsonl") == str(tmp_path / "rel.jsonl")
    assert parse_jsonl_url("jsonl://dir/rel.jsonl") == str(tmp_path / "dir" / "rel.jsonl")
    open_store("jsonl://rel.jsonl").write([make_record(1)])
    assert (tmp_path / "rel.jsonl").read_text(encoding="utf-8").count("\n") == 1
    for bad in ("jsonl://", "jsonl:///"):
        with pytest.raises(StoreError, match="has no path"):
            open_store(bad)


def test_unwritable_path_raises_store_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(StoreError, match="jsonl store write failed"):
        open_store(f"jsonl://{tmp_path}/file/x.jsonl").write([make_record(1)])


def test_four_processes_append_to_one_file(tmp_path: Path) -> None:
    url = f"jsonl://{tmp_path}/shared.jsonl"
    write_from_processes(url, processes=4, count=250, batch=10)
    raw_lines = (tmp_path / "shared.jsonl").read_bytes().split(b"\n")
    assert raw_lines[-1] == b""
    assert len(raw_lines) == 1001  # no torn or interleaved lines: every line parses
    assert all(json.loads(line)["id"] for line in raw_lines[:-1])
    store = open_store(url)
    ids = [record.id for record in store.read()]
    assert store.count() == 1000
    assert len(set(ids)) == 1000
    assert {i.split("-")[0] for i in ids} == {"p0", "p1", "p2", "p3"}


def test_prune_removes_what_started_before_the_cut_off(tmp_path: Path) -> None:
    assert_prunes_before(open_store(f"jsonl://{tmp_path}/p.jsonl"))
    assert [p.name for p in tmp_path.iterdir()] == ["p.jsonl"]  # no temporary file left


def test_prune_of_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "none" / "x.jsonl"
    store = open_store(f"jsonl://{path}")
    assert_prune_of_a_missing_store_creates_nothing(store, lambda: not path.parent.exists())


def test_prune_keeps_torn_and_corrupt_lines_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "torn.jsonl"
    store = JSONLStore(f"jsonl://{path}")
    old, fresh = make_record(1), fresh_record(2, "f-")
    store.write([old])
    with path.open("ab") as file:
        file.write(b'{not json\n[1]\n{"id": "undated", "started_at": "yesterday"}\n')
    store.write([fresh, make_record(3)])
    with path.open("ab") as file:
        file.write(b'{"id": "half-writ')  # a writer died mid-line
    path.chmod(0o640)
    kept = path.read_bytes().split(b"\n")
    del kept[5], kept[0]  # the two old records: lines 1 and 6
    assert store.prune(CUTOFF) == 2
    assert path.read_bytes() == b"\n".join(kept)
    assert oct(path.stat().st_mode & 0o777) == "0o640"
    store.write([fresh_record(4, "f-")])  # still does not glue onto the torn line
    # The torn line is ended, and the new record is a line of its own (encoded by orjson
    # when it is installed: the same JSON, other bytes).
    *_, torn, added, end = path.read_bytes().split(b"\n")
    assert (torn, json.loads(added), end) == (b'{"id": "half-writ', fresh_record(4, "f-"), b"")


def test_prune_with_nothing_to_remove_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "fresh.jsonl"
    store = JSONLStore(f"jsonl://{path}")
    store.write([fresh_record(i, "f-") for i in range(5)])
    before = path.stat()
    assert store.prune(CUTOFF) == 0
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_prune_loses_no_record_a_writer_adds_meanwhile(tmp_path: Path) -> None:
    assert_prune_loses_no_concurrent_write(f"jsonl://{tmp_path}/busy.jsonl", old=20_000)


def _waiting_for_a_lock(path: Path) -> bool:
    """Whether some process waits in flock() for the file at ``path`` (``->`` in /proc/locks)."""
    inode = f":{path.stat().st_ino} "
    return any(
        "->" in line and inode in line for line in Path("/proc/locks").read_text().splitlines()
    )


def test_a_write_waiting_while_a_prune_swaps_the_file_lands_in_the_new_one(tmp_path: Path) -> None:
    path = tmp_path / "swap.jsonl"
    store = JSONLStore(f"jsonl://{path}")
    store.write([make_record(1)])
    with path.open("rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # where a prune holds it, to rename its copy over
        writer = threading.Thread(target=store.write, args=([fresh_record(2, "f-")],))
        writer.start()
        deadline = time.monotonic() + 60
        while not _waiting_for_a_lock(path):  # the write has opened the old file, and waits
            assert time.monotonic() < deadline, "the write never waited for the lock"
            time.sleep(0.01)
        copy = tmp_path / "copy.jsonl"
        copy.write_bytes(path.read_bytes())
        os.replace(copy, path)
    writer.join(timeout=60)
    assert [r.id for r in store.read()] == ["r000001", "f-000002"]


def test_latest_reads_one_view(tmp_path: Path) -> None:
    assert_latest_per_view(open_store(f"jsonl://{tmp_path}/latest.jsonl"))


def test_between_reads_a_time_window(tmp_path: Path) -> None:
    assert_between_reads_a_time_window(open_store(f"jsonl://{tmp_path}/window.jsonl"))


def test_read_latest_and_between_give_recordings(tmp_path: Path) -> None:
    assert_reads_recordings(open_store(f"jsonl://{tmp_path}/typed.jsonl"))


def _hours_of_records(path: Path, count: int = 3000) -> list[dict]:
    """A record every 10 s for ``count`` records, each written up to 5 minutes late (a long
    request, a busy writer), so the file is in start order only to within that."""
    import random

    rng = random.Random(5)
    records = [
        {"id": f"{i:032x}", "started_at": 1e9 + 10 * i, "method": "GET", "view": "v"}
        for i in range(count)
    ]
    written = sorted(records, key=lambda r: r["started_at"] + rng.uniform(0, 300))
    path.write_text("".join(json.dumps(r) + "\n" for r in written))
    return written


def test_since_seeks_past_the_older_records_and_misses_none(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    written = _hours_of_records(path)
    since = 1e9 + 10 * 2000
    offset = JSONLStore(f"jsonl://{path}").offset_since(since)
    data = path.read_bytes()
    assert len(data) // 2 < offset < len(data)
    assert data[offset - 1 : offset] == b"\n"
    before = [json.loads(line) for line in data[:offset].splitlines()]
    after = [json.loads(line) for line in data[offset:].splitlines()]
    assert all(r["started_at"] < since for r in before)
    assert {r["id"] for r in after} >= {r["id"] for r in written if r["started_at"] >= since}


def test_since_before_every_record_reads_from_the_start(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    _hours_of_records(path)
    assert JSONLStore(f"jsonl://{path}").offset_since(0.0) == 0
    assert JSONLStore(f"jsonl://{tmp_path / 'absent.jsonl'}").offset_since(0.0) == 0
