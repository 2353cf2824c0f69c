"""``perfkit bench --explain`` on the shelf project, on the real SQLite, PostgreSQL and
MariaDB: Review (no index for its pages) is flagged with the index to add, Rating (the same
pages, indexed) is not, and no parameter value reaches any file the run writes."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.bench.conftest import perfkit
from tests.bench.test_real_shaped import SHELF, line_of

#: A reader's name no generated row holds: the one parameter value the run must not store.
SECRET = "zebra-secret-4711"
SCENARIO = f"""
URLS = [
    "/reviews/newest/",
    {{"path": "/reviews/reader/", "data": {{"r": "{SECRET}"}}, "name": "reviews by reader"}},
    "/ratings/newest/",
    {{"path": "/ratings/reader/", "data": {{"r": "{SECRET}"}}, "name": "ratings by reader"}},
]
LOGIN = "anonymous"
"""
SETTINGS = {
    "sqlite": "shelf.settings",
    "postgresql": "shelf.settings_postgresql",
    "mariadb": "shelf.settings_mariadb",
}


@pytest.fixture(scope="module", params=sorted(SETTINGS))
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp(request.param) / "shelf"
    shutil.copytree(SHELF, root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "reviews.py").write_text(SCENARIO)
    args = ("--scenario", "reviews.py", "--repeat", "1", "--json", "r.json")
    args += ("--html", "r.html", "--markdown", "r.md", "--save-baseline", "base.json")
    env = {"PERFKIT_TEST_DB_SUFFIX": os.environ.get("PERFKIT_TEST_DB_SUFFIX", "")}
    result = perfkit(root, "bench", "--settings", SETTINGS[request.param], *args, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return request.param, root, json.loads((root / "r.json").read_text()), result.stdout


def explained(report: dict[str, Any], view: str) -> dict[str, Any]:
    return next(s for s in report["explained"] if view in s["views"])


def test_a_filter_no_index_serves_is_a_full_scan_growing_inside_one_query(run) -> None:
    vendor, _root, report, _ = run
    statement = explained(report, "reader_reviews")
    kinds = {f["kind"]: f for f in statement["findings"]}
    assert set(kinds) == {"full_scan", "examined_grows"}, vendor
    scan = kinds["full_scan"]
    assert (scan["model"], scan["fields"]) == ("catalog.Review", ["reader"])
    assert scan["index"] == 'models.Index(fields=["reader"])'
    assert statement["callsite"].startswith(
        f"catalog/views.py:{line_of('catalog/views.py', 'Review.objects.filter(reader=')}"
    )
    rows = [(p["size"], p["rows_examined"], p["rows_returned"]) for p in statement["plans"]]
    # Every row read to count none of them: the count is the one row returned, at each size.
    assert rows == [("5", 5, 1), ("30", 30, 1)]


def test_a_sort_no_index_gives_names_the_foreign_key_and_the_order(run) -> None:
    vendor, _root, report, _ = run
    statement = explained(report, "newest_reviews")
    assert [f["kind"] for f in statement["findings"]] == ["unindexed_sort"], vendor
    finding = statement["findings"][0]
    assert finding["index"] == 'models.Index(fields=["book", "-created"])'
    assert finding["model"] == "catalog.Review"


def test_the_same_pages_on_the_indexed_model_are_not_flagged(run) -> None:
    vendor, _root, report, _ = run
    for view in ("newest_ratings", "reader_ratings"):
        statement = explained(report, view)
        assert statement["plans"], (vendor, view)
        assert statement["findings"] == [], (vendor, view, statement["plans"][-1]["text"])


def test_every_renderer_shows_the_finding_and_its_plan(run) -> None:
    vendor, root, report, stdout = run
    fix = """add models.Index(fields=["reader"]) to catalog.Review's Meta.indexes"""
    assert "Query plans" in stdout and "models.Index(fields=" in stdout
    markdown = (root / "r.md").read_text()
    assert fix.replace('"', '"') in markdown
    html = (root / "r.html").read_text()
    assert "add models.Index(fields=[&#34;reader&#34;]) to catalog.Review&#39;s" in html
    plan = explained(report, "reader_reviews")["plans"][-1]["text"]
    assert plan.splitlines()[0].split()[0] in html, vendor


def test_the_baseline_keeps_the_scans_of_statements_chosen_by_counts(run) -> None:
    # A statement chosen for its DB time alone depends on timing: the gate leaves it out.
    vendor, root, report, _ = run
    views = json.loads((root / "base.json").read_text())["views"]
    assert "full_scans" not in views["reader_reviews"], vendor
    newest = explained(report, "newest_reviews")
    assert newest["gated"] == ("grows" in newest["why"])
    scans = views["newest_reviews"].get("full_scans", {})
    assert set(scans) == (
        {"unindexed_sort catalog_review(book, -created)"} if newest["gated"] else set()
    )
    for scan in scans.values():
        assert scan["callsite"] == newest["callsite"]
        assert scan["index"] == 'models.Index(fields=["book", "-created"])'


def test_no_parameter_value_reaches_a_file_the_run_writes(run) -> None:
    _vendor, root, _report, stdout = run
    written = [
        root / "r.json",
        root / "r.html",
        root / "r.md",
        root / "base.json",
        *(root / "perfkit-report").iterdir(),
    ]
    assert SECRET not in stdout
    for path in written:
        assert SECRET not in Path(path).read_text(), path
