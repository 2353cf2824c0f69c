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


def test_settings_without_a_secret_key_get_a_throw_away_one(tmp_path: Path) -> None:
    # Baby Buddy's settings read SECRET_KEY from the environment: "" when it is unset, and
    # Django then refuses to sign a logged-in persona's session.
    site = write_project(tmp_path)
    settings = site / "mysite" / "settings.py"
    text = settings.read_text()
    assert 'SECRET_KEY = "not-secret"' in text
    settings.write_text(
        text.replace(
            'SECRET_KEY = "not-secret"', 'SECRET_KEY = __import__("os").environ.get("K", "")'
        )
    )
    result = perfkit(
        site, "bench", "--settings", "mysite.settings", "--sizes", "2,3", "--repeat", "1"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout
    assert "SECRET_KEY: a throw-away key for this run" in result.stdout
    seen = {
        (r["view"], r["status"], r["authenticated"])
        for r in recordings(site / "perfkit-report")
        if r["labels"]["phase"] == "measure"
    }
    assert ("dashboard", 200, True) in seen


def test_a_login_that_raises_leaves_that_persona_out_with_the_reason(tmp_path: Path) -> None:
    site = write_project(tmp_path)
    models = site / "blog" / "models.py"
    models.write_text(
        models.read_text()
        + "\n\nfrom django.contrib.auth.signals import user_logged_in\n\n\n"
        + "def _audit(sender, **kwargs):\n    raise RuntimeError('audit log down')\n\n\n"
        + "user_logged_in.connect(_audit)\n"
    )
    result = perfkit(
        site, "bench", "--settings", "mysite.settings", "--sizes", "2,3", "--repeat", "1"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((site / "perfkit-report/bench.json").read_text())
    reasons = {s["url"]: s["reason"] for s in report["skipped"] if "url" in s}
    assert "could not be logged in (RuntimeError: audit log down)" in reasons["/dashboard/"]
    assert any(v["view"] == "post_list" for v in report["views"])
