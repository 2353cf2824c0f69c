"""The analysis on a real bench run of the demo site: what it flags and what it leaves alone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from perfkit.analysis import analyse
from perfkit.analysis.report import Report
from perfkit.bench import demo_site, runner

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def report(django_db_setup, django_db_blocker) -> Iterator[Report]:
    """One bench run shared by the module; its rows are removed afterwards."""
    with django_db_blocker.unblock():
        recordings = runner.run([5, 20], demo_site.populate, demo_site.targets, repeat=3)
        yield analyse(recordings, source="demo")
        demo_site.populate(0)


def view(report: Report, name: str):
    return next(v for v in report.views if v.view == name)


def test_the_n_plus_one_list_is_o_n_with_both_fixes(report: Report) -> None:
    slow = view(report, "demo:story_list_slow")
    assert slow.flags == ["o_n_queries", "n_plus_one"]
    assert (slow.fit.intercept, slow.fit.slope, slow.fit.verdict) == (1.0, 2.0, "O(n)")
    assert slow.fit.formula() == "queries ≈ 1 + 2·n"
    assert {(g.table, g.count, g.fix) for g in slow.n_plus_one} == {
        ("demo_author", 20, 'select_related("author")'),
        ("demo_tag", 20, 'prefetch_related("tags")'),
    }
    assert all(g.follows_table == "demo_story" for g in slow.n_plus_one)
    assert {g.callsite.split(" via ")[0].rsplit(":", 1)[1] for g in slow.n_plus_one} == {"9", "10"}


def test_the_fixed_twin_is_constant_and_unflagged(report: Report) -> None:
    fixed = view(report, "demo:story_list")
    assert fixed.flags == []
    assert (fixed.fit.slope, fixed.fit.verdict) == (0.0, "O(1)")
    assert [s.queries_max for s in fixed.sizes] == [2, 2]


def test_the_uncached_front_page_is_a_caching_candidate_and_candidates_rank_by_time_saved(
    report: Report,
) -> None:
    # Which candidate saves the most is a timing, and timings move on a busy machine: the
    # ranking is checked as an order, the front page as a member.
    saved = [c.db_saved_ms for c in report.caching_candidates]
    assert saved == sorted(saved, reverse=True)
    top = next(c for c in report.caching_candidates if c.view == "demo:front")
    assert top.tool.startswith("@cache_page")
    assert top.repeat_ratio > 0.5
    assert set(top.tables) >= {"demo_story", "demo_author", "demo_tag"}
    assert "caching_candidate" in view(report, "demo:front").flags


def test_the_cache_page_twin_is_not_a_candidate_and_shows_its_hits(report: Report) -> None:
    cached = view(report, "demo:front_cached")
    assert "caching_candidate" not in cached.flags
    # The first measured request at each size runs on emptied caches and builds the page;
    # the warm ones after it are served from the page cache without a query.
    assert all(s.page_cache_hits == s.requests - 1 for s in cached.sizes)
    assert all(s.cold_queries and s.cold_queries > 0 for s in cached.sizes)
    assert all(s.warm_queries_mean == 0 for s in cached.sizes)


def test_the_add_form_is_never_a_caching_candidate(report: Report) -> None:
    form = view(report, "demo:story_add")
    assert form.caching is None
    assert all(c.view != "demo:story_add" for c in report.caching_candidates)


def test_sizes_and_requests_are_counted_without_warm_ups(report: Report) -> None:
    assert report.sizes == ["5", "20"]
    ping = view(report, "demo:ping")
    assert [(s.size, s.requests, s.statuses) for s in ping.sizes] == [
        ("5", 3, {"200": 3}),
        ("20", 3, {"200": 3}),
    ]
