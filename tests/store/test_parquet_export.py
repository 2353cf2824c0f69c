"""``parquet_export.export``: every store to one Parquet file the report reads back the same."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perfkit.errors import StoreError
from perfkit.store import open_store
from perfkit.store.parquet_export import export
from tests.analysis import project_stores
from tests.analysis.project_stores import differences, engine, reference


@pytest.mark.parametrize("store_url", ["jsonl", "sqlite", "postgresql", "redis"], indirect=True)
def test_an_export_is_read_back_as_the_store_itself(store_url: str, tmp_path: Path) -> None:
    store = open_store(store_url)
    store.write([r.to_dict() for r in project_stores.recordings(7, True)])
    stored = list(store.read())
    store.close()
    target = tmp_path / "export.parquet"
    assert export(store_url, str(target)) == len(stored)
    assert differences(engine(f"parquet://{target}"), reference(stored)) == []


def test_since_exports_only_the_newer_records(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    store = open_store(url)
    store.write([r.to_dict() for r in project_stores.recordings(8, False)])
    stored = list(store.read())
    store.close()
    middle = sorted(r.started_at for r in stored)[len(stored) // 2]
    newer = [r for r in stored if r.started_at >= middle]
    target = tmp_path / "newer.parquet"
    assert export(url, str(target), since=middle) == len(newer)
    assert differences(engine(f"parquet://{target}"), reference(newer)) == []


def test_a_failed_export_leaves_the_previous_file_and_no_partial_one(tmp_path: Path) -> None:
    source = tmp_path / "r.jsonl"
    good = [r.to_dict() for r in project_stores.recordings(9, False, count=20)]
    source.write_text("".join(json.dumps(r) + "\n" for r in good) + "{not json\n")
    target = tmp_path / "export.parquet"
    target.write_bytes(b"the previous export")
    with pytest.raises(StoreError, match="cannot export the store"):
        export(f"jsonl://{source}", str(target))
    assert target.read_bytes() == b"the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.parquet", "r.jsonl"]
