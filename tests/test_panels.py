"""The toolbar panel, rendered by django-debug-toolbar itself for real requests to the demo."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from perfkit.analysis import analyse
from perfkit.demo.data import populate
from perfkit.recording import Recording, current_labels
from perfkit.store import writer
from tests import settings_toolbar
from tests.outbound_api import api_server
from tests.toolbar_pages import SECRET_NAMES

PERFKIT_FIRST = settings_toolbar.MIDDLEWARE
TOOLBAR_FIRST = [PERFKIT_FIRST[1], PERFKIT_FIRST[0], *PERFKIT_FIRST[2:]]


@pytest.fixture(params=[PERFKIT_FIRST, TOOLBAR_FIRST], ids=["perfkit-first", "toolbar-first"])
def toolbar(request: pytest.FixtureRequest, tmp_path: Path, db: None) -> Iterator[Path]:
    """The demo with the toolbar and perfkit's panel; yields the directory perfkit writes to."""
    with override_settings(
        DEBUG=True,
        INSTALLED_APPS=settings_toolbar.INSTALLED_APPS,
        MIDDLEWARE=request.param,
        ROOT_URLCONF=settings_toolbar.ROOT_URLCONF,
        DEBUG_TOOLBAR_PANELS=settings_toolbar.DEBUG_TOOLBAR_PANELS,
        PERFKIT={
            "STORE": f"jsonl://{tmp_path / 'store.jsonl'}",
            "STORE_IN_TESTS": True,  # the panel's history reads the store
            "CALLSITE_IGNORE": ["debug_toolbar"],
            "BENCH_REPORT": str(tmp_path / "bench.json"),
            "PROFILE_DIR": str(tmp_path / "profiles"),
        },
    ):
        cache.clear()
        yield tmp_path
        cache.clear()


def panel(client: Any, url: str, **headers: str) -> str:
    """The perfkit panel's HTML for one request, as the toolbar's JavaScript fetches it."""
    page = client.get(url, headers=headers).content.decode()
    request_id = re.search(r'data-request-id="(\w+)"', page)
    assert request_id, "the toolbar was not rendered"
    answer = client.get(
        "/__debug__/render_panel/", {"request_id": request_id[1], "panel_id": "PerfkitPanel"}
    )
    return answer.json()["content"]


def text(content: str) -> str:
    """The panel's visible text, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


def table(content: str, table_id: str) -> list[str]:
    """Each body row of a panel table, as text."""
    body = re.search(rf'<table id="{table_id}">.*?<tbody>(.*?)</tbody>', content, re.S)
    assert body, f"no table {table_id}"
    return [text(row) for row in re.findall(r"<tr>(.*?)</tr>", body[1], re.S)]


def test_the_slow_list_shows_its_n_plus_one_groups_with_call_sites_and_fixes(
    client: Any, toolbar: Path
) -> None:
    populate(10)
    content = panel(client, "/stories/slow/")
    assert "This request: demo:story_list_slow" in text(content)
    assert "21 queries" in text(content)
    author, tags = table(content, "perfkit-n-plus-one")
    assert author.startswith('10× select_related("author") ')
    assert "perfkit/demo/templates/demo/story_list_slow.html:9 via perfkit/demo/views.py" in author
    assert 'SELECT "demo_author"' in author
    assert "once per row of the demo_story list" in author
    assert tags.startswith('10× prefetch_related("tags") ')
    assert "story_list_slow.html:10" in tags
    assert 'SELECT "demo_tag"' in tags


def test_the_fixed_list_has_no_n_plus_one_group(client: Any, toolbar: Path) -> None:
    populate(10)
    content = panel(client, "/stories/")
    assert 'id="perfkit-n-plus-one"' not in content
    assert "None: no query ran 5 or more times." in text(content)


def test_the_tag_cloud_shows_cache_calls_by_key_pattern(client: Any, toolbar: Path) -> None:
    populate(10)
    first = table(panel(client, "/tags/"), "perfkit-cache")
    again = table(panel(client, "/tags/"), "perfkit-cache")
    # alias, key pattern, gets, hits, misses, sets, other, ms
    assert [row.split()[:7] for row in first] == [
        ["default", "demo:tag-cloud:v#", "1", "0", "1", "1", "0"]
    ]
    assert [row.split()[:7] for row in again] == [
        ["default", "demo:tag-cloud:v#", "1", "1", "0", "0", "0"]
    ]


def test_history_and_bench_flags_of_the_view(
    client: Any, toolbar: Path, recordings: list[Recording]
) -> None:
    for size in (5, 20):
        populate(size)
        token = current_labels.set({"size": str(size)})
        try:
            client.get("/stories/slow/")
        finally:
            current_labels.reset(token)
    report = analyse(recordings, source="test")
    (toolbar / "bench.json").write_text(json.dumps(report.to_dict()))
    assert writer.flush()

    shown = text(panel(client, "/stories/slow/"))

    history = re.search(r"History of demo:story_list_slow (.*?) perfkit bench", shown)
    assert history, shown
    assert "Last 2 stored requests" in history[1]
    assert "Queries per request, oldest first: 11 41" in history[1]
    assert re.search(r"p50 [\d.]+ ms, p95 [\d.]+ ms", history[1])
    bench = shown.partition("perfkit bench")[2]
    assert f"From {toolbar / 'bench.json'}" in bench
    assert "O(n) queries (queries ≈ 1 + 2·n)" in bench
    assert "N+1" in bench


def test_without_a_bench_report_the_panel_says_how_to_make_one(client: Any, toolbar: Path) -> None:
    content = text(panel(client, "/stories/"))
    assert "No bench report; run perfkit bench" in content
    assert "No earlier requests of this view" in content


def test_a_profiled_request_links_its_profile(client: Any, toolbar: Path) -> None:
    populate(5)
    content = panel(client, "/stories/slow/", **{"X-Perfkit-Profile": "1"})
    link = re.search(r'<a id="perfkit-profile" href="([^"]+)"', content)
    assert link, text(content)
    assert link[1].startswith("/__debug__/perfkit/profile/")
    profile = client.get(link[1])
    assert profile.status_code == 200
    assert profile["Content-Type"] == "text/html; charset=utf-8"
    assert b"pyinstrument" in b"".join(profile.streaming_content)
    assert client.get("/__debug__/perfkit/profile/nothing-here.html").status_code == 404


def test_an_unrecorded_request_says_so(client: Any, toolbar: Path) -> None:
    with override_settings(PERFKIT={"IGNORE_PATHS": ["/stories/"]}):
        content = text(panel(client, "/stories/"))
    assert "perfkit did not record this request" in content


def test_outbound_calls_are_listed_with_the_n_plus_one_api_call_and_its_fix(
    client: Any, toolbar: Path
) -> None:
    with api_server() as base, override_settings(OUTBOUND_API=base):
        content = panel(client, "/outbound/per-row-page/")
    host = base.removeprefix("http://")
    assert "7 outbound HTTP calls" in text(content)
    (repeated,) = table(content, "perfkit-n-plus-one-calls")
    assert repeated.startswith("6× one call per row: ask a batch endpoint")
    assert "tests/outbound_api.py:" in repeated and f"GET {host}/users/#" in repeated
    rows = table(content, "perfkit-outbound")
    assert sorted(row.split(" ms")[0].split()[:5] for row in rows) == [
        ["GET", host, "/missing/report", "1", "404:"],
        ["GET", host, "/users/#", "6", "200:"],
    ]


def test_an_n_plus_one_no_index_serves_shows_its_plan_and_the_index_to_add(
    client: Any, toolbar: Path
) -> None:
    populate(10)
    content = panel(client, "/authors-by-name/")
    (row,) = table(content, "perfkit-plans")
    assert row.startswith("reads every row of demo_author to filter on name")
    assert 'models.Index(fields=["name"]) in demo.Author' in row
    source = (Path(__file__).parent / "toolbar_pages.py").read_text().splitlines()
    line = next(n for n, text in enumerate(source, 1) if "Author.objects.filter(name=" in text)
    assert f"tests/toolbar_pages.py:{line} in <listcomp>" in row
    assert "SCAN demo_author" in row
    assert not any(name in content for name in SECRET_NAMES)


def test_the_slow_list_explains_its_n_plus_one_groups_and_finds_no_scan(
    client: Any, toolbar: Path
) -> None:
    populate(10)
    rows = table(panel(client, "/stories/slow/"), "perfkit-plans")
    author = next(row for row in rows if 'SELECT "demo_author"' in row)
    assert author.startswith("no full scan, every sort from an index")
    assert "SEARCH demo_author USING INTEGER PRIMARY KEY" in author


def test_with_eager_loads_tracked_an_unread_prefetch_is_listed_with_its_line(
    client: Any, toolbar: Path
) -> None:
    populate(6)
    # The middleware reads the setting when it loads: the first request of the client.
    with override_settings(PERFKIT={**settings.PERFKIT, "EAGER_LOADS": True}):
        content = panel(client, "/eager/unread-tags/")
        fixed = panel(client, "/stories/")
    assert "Not tracked" in text(panel(client, "/eager/unread-tags/"))
    source = Path("tests/eager_pages.py").read_text().splitlines()
    line = next(n for n, code in enumerate(source, start=1) if "never shows a tag" in code)
    (row,) = table(content, "perfkit-unused-eager-loads")
    site = f"tests/eager_pages.py:{line} in unread_tags"
    assert row.startswith('prefetch_related("tags") on demo.Story 12 remove "tags"')
    assert row.endswith(site)
    assert "Every eager-loaded row this request asked for was read." in text(fixed)
