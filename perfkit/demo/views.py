"""The demo's views, each with a fixed, documented number of SQL queries.

Query counts with one or more stories (n = number of stories):

- front: 6; front_cached: 6 on a miss, 0 on a hit; story_list: 2; story_list_slow: 1 + 2n;
  story_detail: 2; api_stories: 2; api_stories_async: 2; tag_cloud: 1 on a cache miss,
  0 on a hit; ping: 0.

story_list_slow's per-row queries come from its template, demo/story_list_slow.html:
line 9 (``{{ story.author.name }}``, one author query per row) and line 10
(``{% for tag in story.tags.all %}``, one tags query per row).
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import cache_page

from perfkit.demo.forms import StoryForm
from perfkit.demo.models import Author, Story, Tag, count_words

TAG_CLOUD_KEY = "demo:tag-cloud:v1"
TAG_CLOUD_TIMEOUT = 60
_MISSING = object()


def front(request: HttpRequest) -> HttpResponse:
    """The front page: expensive (6 aggregate queries) and sent without any caching headers."""
    latest = Story.objects.select_related("author").order_by("-published_at", "-id")[:10]
    tags = Tag.objects.annotate(story_count=Count("stories")).order_by("name")
    top_authors = Author.objects.annotate(story_count=Count("stories")).order_by(
        "-story_count", "name"
    )[:5]
    context = {
        "latest": list(latest),
        "tags": list(tags),
        "top_authors": list(top_authors),
        "total_words": Story.objects.aggregate(total=Sum("word_count"))["total"] or 0,
        "prolific": list(
            Author.objects.annotate(
                words=Sum("stories__word_count"), longest=Max("stories__word_count")
            ).order_by("-words", "name")[:5]
        ),
        "pairs": list(
            Tag.objects.annotate(together=Count("stories__tags")).order_by("-together", "name")
        ),
    }
    return render(request, "demo/front.html", context)


front_cached = cache_page(60)(front)


def story_list(request: HttpRequest) -> HttpResponse:
    """Every story with its author and tags, in 2 queries whatever the number of stories."""
    stories = Story.objects.select_related("author").prefetch_related("tags").order_by("id")
    return render(request, "demo/story_list.html", {"stories": stories})


def story_list_slow(request: HttpRequest) -> HttpResponse:
    """Every story, with the template fetching each row's author and tags: 1 + 2n queries."""
    return render(request, "demo/story_list_slow.html", {"stories": Story.objects.order_by("id")})


def story_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One story with its author (1 query) and its tags (1 query); 404 if there is none."""
    story = get_object_or_404(Story.objects.select_related("author"), pk=pk)
    tags = list(story.tags.order_by("name"))
    return render(request, "demo/story_detail.html", {"story": story, "tags": tags})


def story_add(request: HttpRequest) -> HttpResponse:
    """File a new story, published now; redirects to it on success."""
    form = StoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        story = form.save(commit=False)
        story.published_at = timezone.now()
        story.word_count = count_words(story.body)
        story.save()
        form.save_m2m()
        return redirect(story)
    return render(request, "demo/story_form.html", {"form": form})


def _story_json(story: Story) -> dict[str, Any]:
    return {
        "id": story.pk,
        "title": story.title,
        "author": story.author.name,
        "tags": [tag.name for tag in story.tags.all()],
    }


def _api_queryset() -> QuerySet[Story]:
    return Story.objects.select_related("author").prefetch_related("tags").order_by("id")


def api_stories(request: HttpRequest) -> JsonResponse:
    """Every story as JSON, in 2 queries."""
    return JsonResponse({"stories": [_story_json(story) for story in _api_queryset()]})


async def api_stories_async(request: HttpRequest) -> JsonResponse:
    """The same JSON as ``api_stories`` from an async view using the async ORM: 2 queries."""
    stories = []
    # A plain loop, not an async comprehension: on Python < 3.12 a comprehension is its own
    # frame (<listcomp>), and the query's call site should name this view.
    async for story in _api_queryset():
        stories.append(story)
    return JsonResponse({"stories": [_story_json(story) for story in stories]})


def tag_cloud(request: HttpRequest) -> HttpResponse:
    """Tags with their story counts, kept in the low-level cache for a minute."""
    cloud = cache.get(TAG_CLOUD_KEY, _MISSING)
    if cloud is _MISSING:
        cloud = [
            {"name": tag.name, "slug": tag.slug, "story_count": tag.story_count}
            for tag in Tag.objects.annotate(story_count=Count("stories")).order_by("name")
        ]
        cache.set(TAG_CLOUD_KEY, cloud, TAG_CLOUD_TIMEOUT)
    return render(request, "demo/tag_cloud.html", {"cloud": cloud})


def ping(request: HttpRequest) -> HttpResponse:
    """A liveness check: no queries and no cache calls."""
    return HttpResponse("ok", content_type="text/plain")
