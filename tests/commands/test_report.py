"""``perfkit report`` on stores the middleware wrote: filters, bad input, every renderer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perfkit.commands.errors import UsageError
from perfkit.commands.report import load, parse_since
from perfkit.store import open_store
from tests.analysis.factories import query, recording
from tests.servers import run_perfkit

AUTHOR = 'SELECT "demo_author"."id" FROM "demo_author" WHERE "demo_author"."id" = %s'
LIST = 'SELECT "demo_story"."id" FROM "demo_story"'


def records() -> list[dict]:
    slow = [
        recording("demo:slow", query(LIST), *[query(AUTHOR)] * 6, started_at=1000.0 + i)
        for i in range(3)
    ]
    fast = [recording("demo:fast", query(LIST), started_at=2000.0 + i) for i in range(3)]
    return [r.to_dict() for r in slow + fast]


def test_since_accepts_durations_and_dates() -> None:
    assert parse_since("30m", now=10_000.0) == 8_200.0
    assert parse_since("2d", now=200_000.0) == 200_000.0 - 172_800
    assert parse_since("2026-11-28T12:00:00+00:00", now=0) == 1795867200.0
    assert parse_since(None, now=5) is None
    with pytest.raises(UsageError, match="neither a duration"):
        parse_since("yesterday", now=0)


def test_load_filters_by_time_and_view_glob() -> None:
    found, corrupt = load(iter(records()), since=1500.0, views=[], skip_corrupt=False)
    assert ({r.view for r in found}, corrupt) == ({"demo:fast"}, 0)
    found, _ = load(iter(records()), since=None, views=["demo:sl*"], skip_corrupt=False)
    assert [r.view for r in found] == ["demo:slow"] * 3


def test_a_corrupt_record_is_one_clear_error_or_left_out() -> None:
    rows = [*records(), {"id": "broken", "view": "x", "bogus": 1}]
    with pytest.raises(UsageError, match=r"record 7 \(broken\) is not a perfkit recording"):
        load(iter(rows), None, [], skip_corrupt=False)
    found, corrupt = load(iter(rows), None, [], skip_corrupt=True)
    assert (len(found), corrupt) == (6, 1)


@pytest.mark.parametrize("scheme", ["sqlite", "jsonl"])
def test_report_from_a_store_writes_every_format(tmp_path: Path, scheme: str) -> None:
    url = f"{scheme}:///{tmp_path / ('perf.' + scheme)}"
    open_store(url).write(records())
    result = run_perfkit(
        "report",
        "--store",
        url,
        "--json",
        "r.json",
        "--html",
        "r.html",
        "--markdown",
        "r.md",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "demo:slow" in result.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    slow = next(v for v in report["views"] if v["view"] == "demo:slow")
    assert slow["flags"] == ["n_plus_one"]
    assert slow["n_plus_one"][0]["count"] == 6
    assert "demo:slow" in (tmp_path / "r.html").read_text()
    assert "demo:slow" in (tmp_path / "r.md").read_text()
    assert open_store(url).count() == 6  # reading loses nothing


def test_unreachable_store_and_empty_selection_are_one_line(tmp_path: Path) -> None:
    down = run_perfkit("report", "--store", "redis://127.0.0.1:1/0", cwd=tmp_path)
    assert down.returncode == 2 and down.stderr.count("\n") == 1
    assert "check --store" in down.stderr
    url = f"jsonl:///{tmp_path / 'perf.jsonl'}"
    open_store(url).write(records())
    none = run_perfkit("report", "--store", url, "--view", "nope:*", cwd=tmp_path)
    assert none.returncode == 2 and "no recordings" in none.stderr
