"""``perfkit bench --settings`` on a throw-away project, with nothing but its settings module."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from tests.bench.conftest import perfkit, write_project


def recordings(output: Path) -> list[dict[str, Any]]:
    lines = (output / "recordings.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any, str]:
    """One zero-config run shared by the module: sizes 3 and 8, two measured requests."""
    site = write_project(tmp_path_factory.mktemp("zero-config"))
    args = ("bench", "--settings", "mysite.settings", "--sizes", "3,8", "--repeat", "2")
    result = perfkit(site, *args)
    assert result.returncode == 0, result.stderr
    return (
        site / "perfkit-report",
        json.loads((site / "perfkit-report/bench.json").read_text()),
        result.stdout,
    )


def test_the_n_plus_one_list_grows_with_the_data(run) -> None:
    _, report, stdout = run
    posts = next(v for v in report["views"] if v["view"] == "post_list")
    assert [(s["size"], s["queries_max"]) for s in posts["sizes"]] == [("3", 7), ("8", 17)]
    assert set(posts["flags"]) >= {"o_n_queries", "n_plus_one"}
    assert "queries ≈ 1 + 2·n" in stdout


def test_the_login_view_and_the_admin_were_exercised_logged_in(run) -> None:
    output, _, _ = run
    seen: dict[str, set[tuple[int, bool]]] = defaultdict(set)
    for record in recordings(output):
        if record["labels"]["phase"] == "measure":
            seen[record["view"]].add((record["status"], record["authenticated"]))
    assert seen["dashboard"] == {(200, True)}
    assert seen["admin:blog_post_changelist"] == {(200, True)}
    assert seen["admin:blog_post_change"] == {(200, True)}


def test_parameters_come_from_the_generated_data(run) -> None:
    output, _, _ = run
    measured = [r for r in recordings(output) if r["labels"]["phase"] == "measure"]
    for view in ("user_posts", "tag_posts"):
        statuses = {r["status"] for r in measured if r["view"] == view}
        assert statuses == {200}, view
    # <str:username> gets the user with the most posts (every other post is theirs); the
    # view answers "post\n" per post.
    sizes = {
        r["labels"]["size"]: r["response_bytes"] for r in measured if r["view"] == "user_posts"
    }
    assert sizes == {"3": 2 * 5, "8": 4 * 5}


def test_what_it_cannot_fill_is_skipped_with_a_reason(run) -> None:
    _, report, _ = run
    reasons = {s["url"]: s["reason"] for s in report["skipped"]}
    assert (
        reasons["/admin/(?P<url>.*)"] == "no data for <url>: no model or unique field by that name"
    )


def test_the_real_database_is_never_touched(run) -> None:
    output, _, _ = run
    assert not (output.parent / "real.sqlite3").exists()
