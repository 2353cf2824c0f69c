"""The bundled demo site as a bench target: its settings, data and URLs."""

from __future__ import annotations

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
    """Every demo view, with a real object for the detail route."""
    from django.urls import reverse

    from perfkit.demo.models import Story

    first = Story.objects.order_by("id").first()
    found = [Target(name, reverse(f"demo:{name}")) for name in VIEWS]
    if first is not None:
        found.append(Target("story_detail", reverse("demo:story_detail", args=[first.pk])))
    return found
