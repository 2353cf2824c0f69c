"""Deterministic generation of the demo's authors, tags and stories."""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from perfkit.demo.models import Author, Story, Tag, count_words

TAG_NAMES = ["Politics", "Business", "Science", "Sport", "Culture", "Weather"]

FIRST_NAMES = ["Ada", "Bilal", "Chen", "Dara", "Elif", "Farah", "Goran", "Hana", "Ivo", "Juno"]
LAST_NAMES = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Reyes", "Novak", "Haddad", "Quinn"]

HEADLINE_SUBJECTS = ["Council", "Markets", "Researchers", "Local club", "Festival", "Storm"]
HEADLINE_VERBS = ["backs", "rejects", "delays", "unveils", "questions", "celebrates"]
HEADLINE_OBJECTS = ["new budget", "harbour plan", "rail link", "late result", "record year"]

BODY_TEXT = """
the a city report said officials plan budget vote week residents market rose fell data study
team season match crowd rain wind forecast policy minister board school river bridge museum
exhibition price energy growth result early late record night
"""
BODY_WORDS = BODY_TEXT.split()

EPOCH = datetime.datetime(2024, 1, 1, 6, 0, tzinfo=datetime.timezone.utc)


@transaction.atomic
def populate(n: int, *, seed: int = 0) -> None:
    """Replace every demo row with ``n`` stories, ``max(1, n // 5)`` authors and 6 tags.

    The same ``n`` and ``seed`` always produce the same content. Each story has exactly
    two tags.
    """
    if n < 0:
        raise ValueError(f"n must be 0 or more, not {n}")
    rng = random.Random(seed)

    Story.tags.through.objects.all().delete()
    Story.objects.all().delete()
    Tag.objects.all().delete()
    Author.objects.all().delete()

    Tag.objects.bulk_create(Tag(name=name, slug=name.lower()) for name in TAG_NAMES)
    Author.objects.bulk_create(
        Author(
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            slug=f"author-{i}",
            bio=f"Covers {rng.choice(TAG_NAMES).lower()} for the desk.",
        )
        for i in range(max(1, n // 5))
    )
    authors = list(Author.objects.order_by("slug"))
    tags = list(Tag.objects.order_by("slug"))

    stories = []
    story_tags = []
    for i in range(n):
        body = " ".join(rng.choice(BODY_WORDS) for _ in range(rng.randint(40, 400)))
        title = (
            f"{rng.choice(HEADLINE_SUBJECTS)} {rng.choice(HEADLINE_VERBS)} "
            f"{rng.choice(HEADLINE_OBJECTS)}"
        )
        stories.append(
            Story(
                title=title,
                slug=f"story-{i}",
                body=body,
                author=rng.choice(authors),
                published_at=EPOCH + datetime.timedelta(minutes=i * 90 + rng.randint(0, 59)),
                word_count=count_words(body),
            )
        )
        story_tags.append((f"story-{i}", rng.sample(tags, 2)))
    Story.objects.bulk_create(stories)

    story_ids = dict(Story.objects.values_list("slug", "id"))
    Story.tags.through.objects.bulk_create(
        Story.tags.through(story_id=story_ids[slug], tag_id=tag.pk)
        for slug, pair in story_tags
        for tag in pair
    )
