"""Bench scenario for the bundled demo site: ``perfkit bench --scenario demo``."""

# It names the URLs itself instead of relying on discovery, builds the data with the demo's
# own generator, files stories through the add form (so the report knows which tables a
# write touches) and opens the admin's story list as a superuser it names.

from __future__ import annotations

from perfkit.demo.data import populate
from perfkit.demo.models import Author, Story, Tag

# 5 is under a 10-row page and 30 is over a 25-row one: growth shows on paginated lists too.
SIZES = [5, 30]
REPEAT = 5
WARMUP = 1

# Made after setup() at every size; "chief" may use the admin.
USERS = {"chief": {"is_staff": True, "is_superuser": True}}


def setup(n: int) -> None:
    """n stories, n // 5 authors and 6 tags, the same every time for the same n."""
    populate(n)


def new_story(i: int) -> dict[str, object]:
    """Form data for the add form; ``i`` counts requests, so every slug is new."""
    author = Author.objects.order_by("pk").first()
    tags = list(Tag.objects.order_by("pk").values_list("pk", flat=True)[:2])
    return {
        "title": f"Scenario story {i}",
        "slug": f"scenario-story-{i}",
        "body": "Filed by the bench scenario.",
        "author": author.pk,
        "tags": tags,
    }


def URLS(n: int) -> list[object]:
    """The URLs at size n: a function, because the detail page needs a story that exists."""
    first = Story.objects.order_by("pk").first()
    return [
        "/",
        "/cached/",
        "/stories/",
        "/stories/slow/",
        f"/stories/{first.pk}/",
        "/api/stories/",
        "/tags/",
        {"path": "/admin/demo/story/", "user": "chief", "name": "admin story list"},
        ("POST", "/stories/add/", new_story),
    ]
