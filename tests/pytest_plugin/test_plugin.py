"""The pytest plugin end to end: pytest runs small test files against the demo site."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[2]
PLUGINS = ("-p", "pytest_django.plugin", "-p", "perfkit.pytest_plugin", "-p", "no:cacheprovider")


@pytest.fixture
def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    """Run pytest in a subprocess on the demo site, with only pytest-django and perfkit loaded."""
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "tests.settings")
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.delenv("PERFKIT_UPDATE_SNAPSHOTS", raising=False)
    pytester.makeini("[pytest]\nfilterwarnings = error\n")

    def run(*args: str) -> pytest.RunResult:
        return pytester.runpytest_subprocess(*PLUGINS, *args)

    return run


MARKED = """
import pytest
from django.core.cache import cache
from perfkit.demo.data import populate


@pytest.fixture
def stories(db):
    cache.clear()
    populate(6)


@pytest.mark.perfkit(max_queries=2)
def test_fixed_list_within_budget(client, stories):
    client.get("/stories/")


@pytest.mark.perfkit(max_queries=3)
def test_slow_list_over_budget(client, stories):
    client.get("/stories/slow/")


@pytest.mark.perfkit(max_queries=13, n_plus_one=True)
def test_slow_list_allowed(client, stories):
    client.get("/stories/slow/")


@pytest.mark.perfkit(max_queries=20)
def test_slow_list_n_plus_one(client, stories):
    client.get("/stories/slow/")


@pytest.mark.perfkit(num_queries=1, cache={"hits": 1, "misses": 1, "sets": 1})
def test_tag_cloud_misses_then_hits(client, stories):
    client.get("/tags/")
    client.get("/tags/")


@pytest.mark.perfkit(cache={"min_hit_ratio": 0.5})
def test_tag_cloud_cold(client, stories):
    client.get("/tags/")


@pytest.mark.perfkit(max_query=2)
def test_misspelt_limit(client, stories):
    client.get("/stories/")


class TestClassMarked:
    pytestmark = pytest.mark.perfkit(max_queries=1)

    def test_inherits_the_limit(self, client, stories):
        client.get("/stories/")


def test_fixture_block(perfkit_record, client, stories):
    with perfkit_record() as recorded:
        client.get("/stories/")
    recorded.assert_num_queries(2)
    recorded.assert_no_n_plus_one()
"""


def test_the_marker_checks_each_limit_after_the_test_body(run, pytester) -> None:
    pytester.makepyfile(test_marked=MARKED)
    result = run("-rf")
    result.assert_outcomes(passed=4, failed=5)
    result.stdout.fnmatch_lines(
        [
            "*_ test_slow_list_over_budget _*",
            "test_marked.py:*: @pytest.mark.perfkit(max_queries=3) failed",
            "",
            "13 queries, expected at most 3 during GET demo:story_list_slow (200):",
            '  6× SELECT "demo_author"."id"*',
            "     at perfkit/demo/templates/demo/story_list_slow.html:9 via "
            "perfkit/demo/views.py:* in story_list_slow",
            "",
            "2 N+1 query group(s) during GET demo:story_list_slow (200):",
            "*_ test_slow_list_n_plus_one _*",
            "test_marked.py:*: @pytest.mark.perfkit(max_queries=20) failed",
            "",
            "2 N+1 query group(s) during GET demo:story_list_slow (200):",
            '     fix: select_related("author")',
            '     fix: prefetch_related("tags")',
            "*_ test_tag_cloud_cold _*",
            'cache "default" during GET demo:tag_cloud (200): expected a '
            "hit ratio of at least 50%, got 0%",
            "*_ test_misspelt_limit _*",
            "@pytest.mark.perfkit takes keyword arguments max_queries, num_queries, n_plus_one, "
            "max_http_calls, unused_eager_loads, cache, snapshot, full_scans; got max_query",
            "*_ TestClassMarked.test_inherits_the_limit _*",
            "test_marked.py:*: @pytest.mark.perfkit(max_queries=1) failed",
            "",
            "2 queries, expected at most 1 during GET demo:story_list (200):",
        ]
    )
    for passed in ("fixed_list_within", "slow_list_allowed", "tag_cloud_misses", "fixture_block"):
        result.stdout.no_fnmatch_line(f"FAILED *test_{passed}*")


SNAPSHOTTED = """
import pytest
from perfkit.demo.data import populate

URL = "{url}"


@pytest.fixture
def stories(db, n):
    populate(n)


@pytest.mark.parametrize("n", [3])
@pytest.mark.perfkit(snapshot=True, n_plus_one=True)
def test_list(client, stories):
    client.get(URL)


@pytest.mark.parametrize("n", [3])
def test_named(client, stories, perfkit_record, perfkit_snapshot):
    with perfkit_record() as recorded:
        client.get(URL)
    assert perfkit_snapshot(recorded, name="list") in ("written", "unchanged", "updated")
"""


def counts(snapshot: str) -> list[int]:
    return [query["count"] for query in json.loads(snapshot)["queries"]]


OUTBOUND = """
import pytest
from django.test import override_settings

from tests.outbound_api import api_server


@pytest.fixture
def api():
    with api_server() as base, override_settings(
        ROOT_URLCONF="tests.outbound_api", OUTBOUND_API=base
    ):
        yield


@pytest.mark.perfkit(max_http_calls=6, n_plus_one=True)
def test_within_the_call_budget(client, api):
    client.get("/per-row-requests/")


@pytest.mark.perfkit(max_http_calls=2, n_plus_one=True)
def test_over_the_call_budget(client, api):
    client.get("/per-row-requests/")


@pytest.mark.perfkit(max_http_calls=10)
def test_an_api_called_per_row(client, api):
    client.get("/per-row-httpx/")
"""


def test_the_marker_checks_the_outbound_call_budget_and_n_plus_one_api_calls(run, pytester) -> None:
    pytester.makepyfile(test_outbound=OUTBOUND)
    result = run("-rf")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*_ test_over_the_call_budget _*",
            "test_outbound.py:*: @pytest.mark.perfkit(max_http_calls=2, n_plus_one=True) failed",
            "",
            "6 outbound HTTP calls, expected at most 2 during GET "
            "tests.outbound_api.per_row_requests (200):",
            "  6× GET 127.0.0.1:*/users/#",
            "     at tests/outbound_api.py:* in per_row_requests",
            "*_ test_an_api_called_per_row _*",
            "1 N+1 API call(s) during GET tests.outbound_api.per_row_httpx (200):",
            "  6× GET 127.0.0.1:*/users/#/avatar",
            "     fix: one call per row: ask a batch endpoint*",
        ]
    )


def test_snapshots_are_written_kept_checked_and_updated(run, pytester, monkeypatch) -> None:
    pytester.makepyfile(test_snap=SNAPSHOTTED.format(url="/stories/"))
    perf = pytester.path / "__perf__" / "test_snap"
    run().assert_outcomes(passed=2)
    files = sorted(p.name for p in perf.iterdir())
    assert files == ["test_list[3].json", "test_named[3].list.json"]
    fixed = (perf / "test_list[3].json").read_text()
    assert (perf / "test_named[3].list.json").read_text() == fixed
    assert counts(fixed) == [1, 1]

    run().assert_outcomes(passed=2)
    assert (perf / "test_list[3].json").read_text() == fixed

    pytester.makepyfile(test_snap=SNAPSHOTTED.format(url="/stories/slow/"))
    result = run()
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "perf snapshot __perf__/test_snap/test_list[[]3[]].json changed:",
            '  new: 3× SELECT "demo_author"."id"*',
            "     at perfkit/demo/templates/demo/story_list_slow.html:9 via *",
            "--- __perf__/test_snap/test_list[[]3[]].json (snapshot)",
            "+++ this run",
            "*If the change is intended, rerun with --perfkit-update-snapshots "
            "(or PERFKIT_UPDATE_SNAPSHOTS=1) and commit the new file.",
        ]
    )
    assert (perf / "test_list[3].json").read_text() == fixed

    run("--perfkit-update-snapshots").assert_outcomes(passed=2)
    slow = (perf / "test_list[3].json").read_text()
    assert counts(slow) == [3, 1, 3]
    run().assert_outcomes(passed=2)

    pytester.makepyfile(test_snap=SNAPSHOTTED.format(url="/stories/"))
    monkeypatch.setenv("PERFKIT_UPDATE_SNAPSHOTS", "1")
    run().assert_outcomes(passed=2)
    assert (perf / "test_list[3].json").read_text() == fixed
    assert (perf / "test_named[3].list.json").read_text() == fixed


def test_the_update_option_is_documented_in_help(run) -> None:
    run("--help").stdout.fnmatch_lines(
        ["perfkit:", "  --perfkit-update-snapshots*", "*PERFKIT_UPDATE_SNAPSHOTS=1*"]
    )


def test_the_plugin_runs_without_django(pytester, monkeypatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    pytester.makepyfile(
        """
        import sys

        def test_nothing_imported_django(request):
            assert request.config.pluginmanager.has_plugin("perfkit.pytest_plugin")
            assert not [m for m in sys.modules if m.split(".")[0] == "django"]
        """
    )
    result = pytester.runpytest_subprocess("-p", "perfkit.pytest_plugin", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_importing_the_plugin_imports_neither_django_nor_the_recorder() -> None:
    code = (
        "import sys, perfkit.pytest_plugin; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'perfkit')))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "['perfkit', 'perfkit.pytest_plugin']"


def test_full_scans_false_fails_a_test_whose_query_no_index_serves(run, pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from perfkit.demo.models import Author

        @pytest.mark.django_db
        @pytest.mark.perfkit(full_scans=False)
        def test_scan():
            Author.objects.filter(name="x").count()

        @pytest.mark.django_db
        @pytest.mark.perfkit(full_scans=False)
        def test_indexed():
            Author.objects.filter(slug="x").count()
        """
    )
    result = run()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*full scan: reads every row of demo_author*"])


EAGER = """
import pytest
from perfkit.demo.data import populate
from perfkit.demo.models import Story


@pytest.fixture
def stories(db):
    populate(6)


@pytest.mark.perfkit
def test_reads_what_it_loads(client, stories):
    client.get("/stories/")
    assert all(story.author.name for story in Story.objects.select_related("author"))


@pytest.mark.perfkit
def test_loads_what_it_never_reads(stories):
    assert all(story.title for story in Story.objects.select_related("author"))  # over


@pytest.mark.perfkit(unused_eager_loads=True)
def test_allowed_to(stories):
    assert all(story.title for story in Story.objects.select_related("author"))
"""


def test_the_marker_fails_an_eager_load_nobody_reads_naming_its_line(run, pytester) -> None:
    pytester.makepyfile(test_eager=EAGER)
    lines = EAGER.lstrip("\n").splitlines()
    line = next(n for n, text in enumerate(lines, start=1) if "# over" in text)
    result = run("-rf")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.perfkit() failed*",
            "*1 unused eager load(s):",
            '*select_related("author") on demo.Story: 6 row(s) never read',
            f"*at test_eager.py:{line} in test_loads_what_it_never_reads",
            f'*fix: remove "author" from select_related at test_eager.py:{line}*',
        ]
    )
