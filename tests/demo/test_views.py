"""Tests for the demo site's views: status codes, caching and their exact query counts."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.template.base import Node
from django.urls import reverse

from perfkit.demo import views
from perfkit.demo.data import populate
from perfkit.demo.models import Author, Story, Tag
from tests.conftest import async_get

SLOW_TEMPLATE = "demo/story_list_slow.html"
SLOW_AUTHOR_LINE = 9
SLOW_TAGS_LINE = 10


@pytest.fixture(params=[10, 50])
def n(request: pytest.FixtureRequest, db: None) -> int:
    populate(request.param)
    return request.param


def test_front_is_six_queries_and_uncacheable(client: Any, n: int, django_assert_num_queries):
    with django_assert_num_queries(6):
        response = client.get(reverse("demo:front"))
    assert response.status_code == 200
    for header in ("Cache-Control", "ETag", "Last-Modified", "Expires"):
        assert header not in response.headers
    latest = Story.objects.order_by("-published_at", "-id").first()
    assert latest.title in response.content.decode()
    assert f"{sum(Story.objects.values_list('word_count', flat=True))} words" in (
        response.content.decode()
    )


def test_front_links_static_files(client: Any, db: None) -> None:
    body = client.get(reverse("demo:front")).content.decode()
    for name in ("demo/site.css", "demo/app.js", "demo/logo.png"):
        assert f'"/static/{name}"' in body


def test_front_with_no_stories_is_still_six_queries(
    client: Any, db: None, django_assert_num_queries
) -> None:
    with django_assert_num_queries(6):
        response = client.get(reverse("demo:front"))
    assert response.status_code == 200
    assert "No stories yet." in response.content.decode()


def test_front_cached_hits_the_cache_the_second_time(
    client: Any, n: int, django_assert_num_queries
) -> None:
    url = reverse("demo:front_cached")
    with django_assert_num_queries(6):
        first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert "max-age=60" in first.headers["Cache-Control"]
    assert second.content == first.content


def test_story_list_is_two_queries(client: Any, n: int, django_assert_num_queries) -> None:
    with django_assert_num_queries(2):
        response = client.get(reverse("demo:story_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<tr>") == n + 1
    story = Story.objects.get(slug="story-0")
    for tag in story.tags.all():
        assert tag.name in body


def test_story_list_slow_is_one_plus_two_n_queries(
    client: Any, n: int, django_assert_num_queries
) -> None:
    with django_assert_num_queries(1 + 2 * n):
        response = client.get(reverse("demo:story_list_slow"))
    assert response.status_code == 200
    assert response.content.decode().count('class="tag"') == 2 * n


def test_story_list_slow_with_no_stories_is_one_query(
    client: Any, db: None, django_assert_num_queries
) -> None:
    with django_assert_num_queries(1):
        assert client.get(reverse("demo:story_list_slow")).status_code == 200


def innermost_template_line(template_name: str) -> int | None:
    """The line of the innermost node of ``template_name`` being rendered by the caller's stack."""
    frame = sys._getframe(1)
    while frame is not None:
        node = frame.f_locals.get("self")
        if (
            frame.f_code.co_name == "render_annotated"
            and isinstance(node, Node)
            and node.origin.template_name == template_name
        ):
            return node.token.lineno
        frame = frame.f_back
    return None


@contextmanager
def template_lines_of_queries(template_name: str) -> Iterator[list[int | None]]:
    lines: list[int | None] = []

    def record(execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        lines.append(innermost_template_line(template_name))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield lines


def test_story_list_slow_queries_come_from_the_documented_template_lines(
    client: Any, db: None
) -> None:
    populate(3)
    with template_lines_of_queries(SLOW_TEMPLATE) as lines:
        client.get(reverse("demo:story_list_slow"))
    per_row = [SLOW_AUTHOR_LINE, SLOW_TAGS_LINE]
    assert lines[1:] == per_row * 3
    source = (Path(views.__file__).parent / "templates" / SLOW_TEMPLATE).read_text().splitlines()
    assert source[SLOW_AUTHOR_LINE - 1].strip() == "by {{ story.author.name }}"
    assert source[SLOW_TAGS_LINE - 1].strip().startswith("{% for tag in story.tags.all %}")
    assert f"line {SLOW_AUTHOR_LINE} (" in views.__doc__
    assert f"line {SLOW_TAGS_LINE}\n(" in views.__doc__


def test_story_detail_is_two_queries(client: Any, n: int, django_assert_num_queries) -> None:
    story = Story.objects.order_by("id").last()
    with django_assert_num_queries(2):
        response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert story.title in body
    for tag in story.tags.all():
        assert tag.name in body


def test_story_detail_missing_is_404(client: Any, n: int) -> None:
    missing = Story.objects.order_by("-id").values_list("id", flat=True).first() + 1
    assert client.get(reverse("demo:story_detail", args=[missing])).status_code == 404


def test_story_add_get_shows_the_form(client: Any, n: int) -> None:
    response = client.get(reverse("demo:story_add"))
    assert response.status_code == 200
    body = response.content.decode()
    for field in ("title", "slug", "body", "author", "tags"):
        assert f'name="{field}"' in body


def test_story_add_valid_post_creates_and_redirects(client: Any, n: int) -> None:
    author = Author.objects.first()
    tags = list(Tag.objects.order_by("id")[:2])
    response = client.post(
        reverse("demo:story_add"),
        {
            "title": "Harbour plan approved",
            "slug": "harbour-plan-approved",
            "body": "The council voted seven to two tonight.",
            "author": author.pk,
            "tags": [t.pk for t in tags],
        },
    )
    story = Story.objects.get(slug="harbour-plan-approved")
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("demo:story_detail", args=[story.pk])
    assert story.word_count == 7
    assert story.published_at is not None
    assert story.author == author
    assert set(story.tags.all()) == set(tags)
    assert Story.objects.count() == n + 1


def test_story_add_invalid_post_shows_errors(client: Any, n: int) -> None:
    response = client.post(reverse("demo:story_add"), {"title": "", "slug": "story-0"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert Story.objects.count() == n


def expected_json() -> dict[str, list[dict[str, Any]]]:
    return {
        "stories": [
            {
                "id": s.pk,
                "title": s.title,
                "author": s.author.name,
                "tags": [t.name for t in s.tags.all()],
            }
            for s in Story.objects.select_related("author").prefetch_related("tags").order_by("id")
        ]
    }


def test_api_stories_is_two_queries(client: Any, n: int, django_assert_num_queries) -> None:
    with django_assert_num_queries(2):
        response = client.get(reverse("demo:api_stories"))
    assert response.status_code == 200
    data = response.json()
    assert len(data["stories"]) == n
    assert all(len(s["tags"]) == 2 for s in data["stories"])
    assert data == expected_json()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("count", [10, 50])
def test_api_stories_async_is_two_queries(
    async_client: Any, count: int, django_assert_num_queries
) -> None:
    populate(count)
    with django_assert_num_queries(2):
        response = async_get(async_client, reverse("demo:api_stories_async"))
    assert response.status_code == 200
    assert len(response.json()["stories"]) == count
    assert response.json() == expected_json()


def test_api_stories_async_is_a_coroutine_view() -> None:
    import inspect

    assert inspect.iscoroutinefunction(views.api_stories_async)


def test_tag_cloud_uses_the_low_level_cache(client: Any, n: int, django_assert_num_queries) -> None:
    backend = caches["default"]
    url = reverse("demo:tag_cloud")
    with (
        mock.patch.object(backend, "get", wraps=backend.get) as get,
        mock.patch.object(backend, "set", wraps=backend.set) as set_,
    ):
        with django_assert_num_queries(1):
            first = client.get(url)
        assert get.call_count == 1
        assert set_.call_count == 1
        assert set_.call_args.args[0] == "demo:tag-cloud:v1"
        assert set_.call_args.args[2] == 60
        with django_assert_num_queries(0):
            second = client.get(url)
        assert get.call_count == 2
        assert set_.call_count == 1
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    cloud = cache.get("demo:tag-cloud:v1")
    assert len(cloud) == 6
    assert sum(tag["story_count"] for tag in cloud) == 2 * n


def test_tag_cloud_recomputes_after_the_key_is_deleted(
    client: Any, n: int, django_assert_num_queries
) -> None:
    client.get(reverse("demo:tag_cloud"))
    cache.delete("demo:tag-cloud:v1")
    with django_assert_num_queries(1):
        assert client.get(reverse("demo:tag_cloud")).status_code == 200
    assert cache.get("demo:tag-cloud:v1") is not None


def test_ping(client: Any, db: None, django_assert_num_queries) -> None:
    backend = caches["default"]
    with (
        mock.patch.object(backend, "get", wraps=backend.get) as get,
        mock.patch.object(backend, "set", wraps=backend.set) as set_,
        django_assert_num_queries(0),
    ):
        response = client.get(reverse("demo:ping"))
    assert response.status_code == 200
    assert response.content == b"ok"
    assert get.call_count == set_.call_count == 0


def test_admin_is_mounted(client: Any, db: None) -> None:
    response = client.get("/admin/login/")
    assert response.status_code == 200
