"""``Store.lines``: every store's records as JSON text, from ``since`` on."""

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
