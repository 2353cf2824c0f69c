"""The bundled demo site as a bench target: its settings, data and URLs."""

from __future__ import annotations

import functools
import os

import django

from perfkit.bench.runner import Target

VIEWS = (
    "front",
    "front_cached",
    "story_list",
    "story_list_slow",
    "api_stories",
    "api_stories_async",
    "tag_cloud",
    "story_add",
    "ping",
)


def setup_demo(store_url: str) -> None:
    """Configure Django for the demo (in-memory SQLite, local-memory cache) and migrate."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "perfkit.demo.settings"
    os.environ["PERFKIT_DEMO_DB"] = ":memory:"
    os.environ["PERFKIT_DEMO_DEBUG"] = "0"
    os.environ["PERFKIT_DEMO_CACHE"] = "locmem"
    os.environ["PERFKIT_STORE"] = store_url
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def populate(size: int) -> None:
    """Fill the demo database to ``size`` stories (and clear the cache)."""
    from django.core.cache import cache

    from perfkit.demo.data import populate as fill

    fill(size)
    cache.clear()


def targets() -> list[Target]:
    """Every demo view, with a real object for the detail route, then a POST to the add form."""
    from django.urls import reverse

    from perfkit.demo.models import Author, Story, Tag

    first = Story.objects.order_by("id").first()
    found = [Target(name, reverse(f"demo:{name}")) for name in VIEWS]
    if first is not None:
        found.append(Target("story_detail", reverse("demo:story_detail", args=[first.pk])))
    author = Author.objects.order_by("id").first()
    if author is not None:
        tags = list(Tag.objects.order_by("id").values_list("id", flat=True)[:2])
        data = functools.partial(new_story, author.pk, tags)
        found.append(Target("story_add:post", reverse("demo:story_add"), "POST", data))
    return found


def new_story(author: int, tags: list[int], index: int) -> dict[str, object]:
    """Form data for the add form; ``index`` keeps the slug unique across repeated POSTs."""
    return {
        "title": f"Bench story {index}",
        "slug": f"bench-story-{index}",
        "body": "Filed by perfkit bench to see which tables a write touches.",
        "author": author,
        "tags": tags,
    }
