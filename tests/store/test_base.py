"""``Store.lines`` and ``Store.find``: every store's records as JSON text, from ``since`` on or
by id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perfkit.store import open_store
from tests.analysis import project_stores


@pytest.mark.parametrize("store_url", ["jsonl", "sqlite", "postgresql", "redis"], indirect=True)
def test_lines_are_the_records_in_start_order_from_since_on(store_url: str) -> None:
    found = project_stores.recordings(31, False, count=50)
    store = open_store(store_url)
    try:
        store.write([r.to_dict() for r in found])
        every = [json.loads(line) for line in store.lines()]
        since = sorted(r.started_at for r in found)[30]
        newer = [json.loads(line) for line in store.lines(since)]
    finally:
        store.close()
    assert sorted(r["id"] for r in every) == sorted(r.id for r in found)
    assert all("\n" not in line for line in store.lines())
    expected = {r.id for r in found if r.started_at >= since}
    assert {r["id"] for r in newer} == expected
    if not store_url.startswith(("jsonl", "redis")):  # kept in start order by their index
        keys = [(r["started_at"], r["id"]) for r in every]
        assert keys == sorted(keys)


def test_lines_of_a_store_that_does_not_exist_are_none(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'absent.sqlite3'}")
    assert list(store.lines()) == []
    assert not (tmp_path / "absent.sqlite3").exists()


@pytest.mark.parametrize("store_url", ["jsonl", "sqlite", "postgresql", "redis"], indirect=True)
def test_find_gives_the_records_asked_for_by_id(store_url: str) -> None:
    found = project_stores.recordings(32, False, count=60)
    store = open_store(store_url)
    try:
        store.write([r.to_dict() for r in found])
        wanted = {r.id: r.started_at for r in found[::7]}
        lines = store.find({**wanted, "f" * 32: 1.79e9})
    finally:
        store.close()
    assert set(lines) == set(wanted)
    assert all(json.loads(line)["id"] == rid for rid, line in lines.items())


def test_find_in_a_json_lines_file_looks_past_the_start_order(tmp_path: Path) -> None:
    """A record far out of start order, and one whose writer put its fields in another
    order, are found all the same (past the search near their start time)."""
    found = project_stores.recordings(33, False, count=400)
    for i, recording in enumerate(found):
        recording.started_at = 1.79e9 + 10 * i
    late, reordered = found[3], found[200]
    lines = [json.dumps(r.to_dict()) for r in found if r is not late]
    record = reordered.to_dict()
    lines[199] = json.dumps({"started_at": record.pop("started_at"), **record})
    lines.append(json.dumps(late.to_dict()))
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(lines) + "\n")
    wanted = {r.id: r.started_at for r in (late, reordered, found[100])}
    assert set(open_store(f"jsonl://{path}").find(wanted)) == set(wanted)
