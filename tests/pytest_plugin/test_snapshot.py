"""Perf snapshots: written once, unchanged passes, a change fails with a diff, update rewrites."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.cache import cache

from perfkit.demo.data import populate
from perfkit.testing import Recorded, check_snapshot, record
from perfkit.testing.snapshot import UPDATE_HINT

pytestmark = pytest.mark.django_db


def fetch(client, *urls: str) -> Recorded:
    with record() as recorded:
        for url in urls:
            client.get(url)
    return recorded


def test_the_first_run_writes_sorted_shapes_and_counts_without_timings(client, tmp_path) -> None:
    populate(6)
    path = tmp_path / "__perf__" / "test_views" / "test_slow.json"
    assert check_snapshot(fetch(client, "/stories/slow/"), path) == "written"
    data = json.loads(path.read_text())
    assert list(data) == ["cache", "queries"]
    assert data["cache"] == []
    assert [(q["count"], q["sql"].split(" FROM ")[1].split()[0]) for q in data["queries"]] == [
        (6, '"demo_author"'),
        (1, '"demo_story"'),
        (6, '"demo_tag"'),
    ]
    assert all(sorted(q) == ["alias", "count", "fingerprint", "sql"] for q in data["queries"])
    assert all(len(q["fingerprint"]) == 16 for q in data["queries"])
    assert path.read_text().endswith("}\n")


def test_an_unchanged_run_passes_and_leaves_the_file_alone(client, tmp_path) -> None:
    populate(6)
    path = tmp_path / "snap.json"
    check_snapshot(fetch(client, "/stories/", "/tags/"), path)
    written = path.read_bytes()
    cache.clear()
    assert check_snapshot(fetch(client, "/stories/", "/tags/"), path) == "unchanged"
    assert path.read_bytes() == written
    assert json.loads(written)["cache"] == [
        {"alias": "default", "count": 1, "key_pattern": "demo:tag-cloud:v#", "op": "get"},
        {"alias": "default", "count": 1, "key_pattern": "demo:tag-cloud:v#", "op": "set"},
    ]


def test_a_change_fails_with_what_changed_where_and_a_diff(client, tmp_path) -> None:
    populate(6)
    path = tmp_path / "snap.json"
    check_snapshot(fetch(client, "/stories/", "/tags/"), path)
    before = path.read_text()
    with pytest.raises(AssertionError) as failure:
        check_snapshot(fetch(client, "/stories/slow/", "/tags/"), path)
    message = str(failure.value)
    lines = message.splitlines()
    assert lines[0] == f"perf snapshot {path} changed:"
    assert lines[1].startswith('  new: 6× SELECT "demo_author"."id"')
    assert lines[2].startswith("     at perfkit/demo/templates/demo/story_list_slow.html:9 via")
    assert "  gone: 1× cache set demo:tag-cloud:v# on default" in lines
    assert sum(line.startswith("  new: ") for line in lines) == 3
    assert sum(line.startswith("  gone: 1× SELECT ") for line in lines) == 3
    diff = lines[lines.index(f"--- {path} (snapshot)") :]
    assert diff[1] == "+++ this run"
    assert '-      "op": "set"' in diff
    assert '+      "count": 6,' in diff
    assert lines[-1] == UPDATE_HINT
    assert path.read_text() == before


def test_update_mode_rewrites_a_changed_snapshot(client, tmp_path) -> None:
    populate(6)
    path = tmp_path / "snap.json"
    check_snapshot(fetch(client, "/stories/"), path)
    slow = fetch(client, "/stories/slow/")
    assert check_snapshot(slow, path, update=True) == "updated"
    assert check_snapshot(slow, path) == "unchanged"
    assert [q["count"] for q in json.loads(path.read_text())["queries"]] == [6, 1, 6]


def test_a_file_that_is_not_a_snapshot_still_fails_with_a_diff(client, tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    path.write_text("[]\n")
    with pytest.raises(AssertionError, match="the file is not a perfkit snapshot"):
        check_snapshot(fetch(client, "/stories/"), path)
