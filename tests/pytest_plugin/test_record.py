"""perfkit.testing.record and its assertions against the demo views, in this process."""

from __future__ import annotations

import sys
from unittest import mock

import pytest
from django.core.cache import caches
from django.test import AsyncClient, Client

from perfkit.demo.data import populate
from perfkit.demo.models import Story
from perfkit.testing import CacheStats, record
from tests.conftest import async_get

pytestmark = pytest.mark.django_db

AUTHOR_SQL = 'SELECT "demo_author"."id", "demo_author"."name"'
TAGS_SQL = 'SELECT "demo_tag"."id", "demo_tag"."name", "demo_tag"."slug" FROM "demo_tag"'
AUTHOR_SITE = "at perfkit/demo/templates/demo/story_list_slow.html:9 via perfkit/demo/views.py:"
TAGS_SITE = "at perfkit/demo/templates/demo/story_list_slow.html:10 via perfkit/demo/views.py:"


def test_budget_passes_within_it_and_fails_naming_each_query_and_its_line(client) -> None:
    populate(6)
    with record() as fixed:
        client.get("/stories/")
    fixed.assert_max_queries(2)
    fixed.assert_num_queries(2)
    with record() as slow:
        client.get("/stories/slow/")
    with pytest.raises(AssertionError) as failure:
        slow.assert_max_queries(3)
    message = str(failure.value)
    assert message.startswith(
        "13 queries, expected at most 3 during GET demo:story_list_slow (200):\n"
    )
    assert f"  6× {AUTHOR_SQL}" in message
    assert f"  6× {TAGS_SQL}" in message
    assert AUTHOR_SITE in message and TAGS_SITE in message
    assert "in story_list_slow" in message


def test_an_exact_count_fails_when_there_are_fewer_queries(client) -> None:
    populate(3)
    with record() as recorded:
        client.get("/stories/")
    with pytest.raises(AssertionError, match=r"^2 queries, expected exactly 3 during GET"):
        recorded.assert_num_queries(3)


def test_a_query_in_the_test_itself_is_placed_on_its_line() -> None:
    populate(2)
    with record() as recorded:
        line = sys._getframe().f_lineno + 1
        titles = list(Story.objects.values_list("title", flat=True))
    assert len(titles) == 2
    with pytest.raises(AssertionError) as failure:
        recorded.assert_max_queries(0)
    site = f"at tests/pytest_plugin/test_record.py:{line} in {sys._getframe().f_code.co_name}"
    assert site in str(failure.value)
    assert "during" not in str(failure.value)


def test_requests_are_recorded_without_the_middleware_too(settings) -> None:
    populate(6)
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.startswith("perfkit.")]
    with record() as recorded:
        Client().get("/stories/slow/")
    assert (recorded.count, recorded.requests) == (13, [])


def test_an_async_view_under_the_async_client_is_recorded() -> None:
    populate(6)
    with record() as recorded:
        async_get(AsyncClient(), "/api/stories/async/")
    recorded.assert_num_queries(2)
    assert [(r.view, r.status) for r in recorded.requests] == [("demo:api_stories_async", 200)]
    assert all("in api_stories_async" in q.callsite for q in recorded.queries)


def test_n_plus_one_names_the_query_its_line_and_the_fix(client) -> None:
    populate(6)
    with record() as fixed:
        client.get("/stories/")
    fixed.assert_no_n_plus_one()
    with record() as slow:
        client.get("/stories/slow/")
    with pytest.raises(AssertionError) as failure:
        slow.assert_no_n_plus_one()
    lines = str(failure.value).splitlines()
    assert lines[0] == "2 N+1 query group(s) during GET demo:story_list_slow (200):"
    assert lines[1].startswith(f"  6× {AUTHOR_SQL}")
    assert lines[2].strip().startswith(AUTHOR_SITE)
    assert lines[3].strip().startswith('after SELECT "demo_story"."id"')
    assert lines[4] == '     fix: select_related("author")'
    assert lines[5].startswith(f"  6× {TAGS_SQL}")
    assert lines[6].strip().startswith(TAGS_SITE)
    assert lines[8] == '     fix: prefetch_related("tags")'


def test_a_higher_threshold_lets_a_short_repeat_pass(client) -> None:
    populate(6)
    with record() as slow:
        client.get("/stories/slow/")
    slow.assert_no_n_plus_one(threshold=7)
    assert [group.count for group in slow.n_plus_one()] == [6, 6]


def test_cache_miss_then_hit_is_counted_and_checked(client) -> None:
    populate(5)
    with record() as first:
        client.get("/tags/")
    with record() as both:
        client.get("/tags/")
        client.get("/tags/")
    assert first.cache_stats() == CacheStats("default", gets=1, hits=0, misses=1, sets=1)
    first.assert_cache(hits=0, misses=1, sets=1)
    both.assert_cache(hits=2, misses=0, sets=0, min_hit_ratio=1.0)
    with pytest.raises(AssertionError) as failure:
        first.assert_cache(hits=1, min_hit_ratio=0.5)
    assert str(failure.value).splitlines() == [
        'cache "default" during GET demo:tag_cloud (200): expected hits 1, got 0; '
        "expected a hit ratio of at least 50%, got 0%",
        "  1 read(s): 0 hit(s), 1 miss(es), hit ratio 0%; 1 key(s) written",
        "  get demo:tag-cloud:v# → miss",
        "  set demo:tag-cloud:v#",
    ]


def test_cache_expectations_are_per_alias(settings) -> None:
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "other": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "o"},
    }
    with record() as recorded:
        caches["other"].get_many(["user:1", "user:2"])
        caches["other"].set("user:1", "x")
        caches["other"].get("user:1")
    assert recorded.cache_stats("other") == CacheStats("other", 3, 1, 2, 1)
    assert recorded.cache_stats().gets == 0
    recorded.assert_cache("other", hits=1, misses=2, sets=1)
    with pytest.raises(AssertionError, match="got none"):
        recorded.assert_cache(min_hit_ratio=0.1)


def test_blocks_nest_and_the_outer_one_sees_the_inner_queries(client) -> None:
    populate(3)
    with record() as outer:
        client.get("/stories/")
        with record() as inner:
            client.get("/stories/slow/")
    assert (inner.count, outer.count) == (7, 9)
    assert [r.view for r in outer.requests] == ["demo:story_list", "demo:story_list_slow"]


def test_a_query_perfkit_failed_to_record_fails_the_block() -> None:
    with (
        pytest.raises(RuntimeError, match="perfkit failed while recording a query"),
        mock.patch("perfkit.capture.db.fingerprint", side_effect=ValueError("boom")),
        record(),
    ):
        Story.objects.count()


@pytest.fixture
def api():
    from django.test import override_settings

    from tests.outbound_api import api_server

    with (
        api_server() as base,
        override_settings(ROOT_URLCONF="tests.outbound_api", OUTBOUND_API=base),
    ):
        yield base.removeprefix("http://")


def test_an_outbound_call_budget_fails_naming_each_call_and_its_line(client, api) -> None:
    with record() as recorded:
        client.get("/per-row-requests/")
        client.get("/one-call-urllib/")
    assert len(recorded.http_calls) == 7
    recorded.assert_max_http_calls(7)
    with pytest.raises(AssertionError) as failure:
        recorded.assert_max_http_calls(2)
    message = str(failure.value)
    assert message.startswith(
        "7 outbound HTTP calls, expected at most 2 during GET "
        "tests.outbound_api.per_row_requests (200), GET tests.outbound_api.one_call_urllib (200):\n"
    )
    assert f"  6× GET {api}/users/#\n     at tests/outbound_api.py:" in message
    assert f"  1× GET {api}/orders/#/summary" in message


def test_an_n_plus_one_api_call_fails_with_its_call_site_and_fix(client, api) -> None:
    with record() as recorded:
        client.get("/per-row-httpx/")
    with pytest.raises(AssertionError) as failure:
        recorded.assert_no_n_plus_one_api()
    message = str(failure.value)
    assert message.startswith("1 N+1 API call(s) during GET tests.outbound_api.per_row_httpx")
    assert f"  6× GET {api}/users/#/avatar" in message
    assert "fix: one call per row: ask a batch endpoint" in message
    with record() as single:
        client.get("/one-call-urllib/")
    single.assert_no_n_plus_one_api()


def test_a_requests_calls_keep_their_place_among_the_blocks_queries(client, api) -> None:
    populate(2)
    with record() as recorded:
        assert len(list(Story.objects.values_list("title", flat=True))) == 2
        client.get("/per-row-requests/")
    assert recorded.count == 1
    assert {call.queries_before for call in recorded.http_calls} == {1}
    (found,) = recorded.n_plus_one_calls()
    assert found.follows_table == "demo_story"


def test_an_eager_load_nobody_reads_fails_naming_its_line_and_the_fix(client) -> None:
    populate(4)
    with record() as used:
        client.get("/stories/")
        assert all(story.author.name for story in Story.objects.select_related("author"))
    used.assert_no_unused_eager_loads()
    with record() as outer, record() as unused:
        line = sys._getframe().f_lineno + 1
        titles = [story.title for story in Story.objects.prefetch_related("tags")]
    assert len(titles) == 4
    for recorded in (unused, outer):  # an outer block sees an inner one's
        with pytest.raises(AssertionError) as failure:
            recorded.assert_no_unused_eager_loads()
        site = f"tests/pytest_plugin/test_record.py:{line}"
        assert str(failure.value) == (
            "1 unused eager load(s):\n"
            '  prefetch_related("tags") on demo.Story: 8 row(s) never read\n'
            f"     at {site} in test_an_eager_load_nobody_reads_fails_naming_its_line_and_the_fix\n"
            f'     fix: remove "tags" from prefetch_related at {site} in '
            "test_an_eager_load_nobody_reads_fails_naming_its_line_and_the_fix: the view never "
            "reads the tags it loads"
        )
