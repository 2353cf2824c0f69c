"""Eager-load tracking on each real database: what select_related / prefetch_related loaded,
whether it was read, and the line that asked for it."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db.models import Prefetch

from perfkit import health
from perfkit.capture import eager_loads
from perfkit.demo.data import populate
from perfkit.demo.models import Author, Story
from perfkit.recording import EagerLoad, EagerUse, Recording, current_recording
from tests.routers import use_database

ALIASES = ["default", "postgresql", "mysql"]
HERE = Path(__file__).name

eager_loads.install()


def tracked(body: Callable[[], object], *, track: bool = True) -> EagerUse | None:
    """What tracking saw of ``body`` run as one recorded request."""
    recording = Recording("r", 0.0, "GET")
    token = current_recording.set(recording)
    try:
        if track:
            with eager_loads.tracking():
                body()
        else:
            body()
    finally:
        current_recording.reset(token)
    eager_loads.finish(recording)
    return recording.eager


def loads(use: EagerUse | None) -> dict[tuple[str, str], EagerLoad]:
    assert use is not None
    return {(load.lookup, load.path): load for load in use.loads}


def line(text: str) -> int:
    source = Path(__file__).read_text().splitlines()
    return next(n for n, code in enumerate(source, start=1) if text in code)


@pytest.mark.parametrize("alias", ALIASES)
@pytest.mark.django_db(databases=ALIASES)
def test_a_select_related_read_and_one_never_read(alias: str) -> None:
    with use_database(alias):
        populate(10)

        def view() -> None:
            stories = Story.objects.select_related("author").order_by("id")  # asks
            for story in stories:
                assert story.title

        def reading() -> None:
            for story in Story.objects.select_related("author").order_by("id"):
                assert story.author.name

        unread = loads(tracked(view))[("author", "author")]
        read = loads(tracked(reading))[("author", "author")]
    assert (unread.kind, unread.model, unread.holders, unread.rows) == (
        "select_related",
        "demo.Story",
        10,
        10,
    )
    assert unread.read is False and read.read is True
    assert unread.callsite == f"tests/capture/{HERE}:{line('# asks')} in view"


@pytest.mark.parametrize("alias", ALIASES)
@pytest.mark.django_db(databases=ALIASES)
def test_prefetched_rows_are_read_when_iterated_or_counted_not_when_filtered(alias: str) -> None:
    with use_database(alias):
        populate(10)
        queryset = Story.objects.prefetch_related("tags").order_by("id")

        def iterated() -> None:
            for story in queryset.all():
                assert [tag.name for tag in story.tags.all()]

        def counted() -> None:
            assert all(story.tags.count() == 2 for story in queryset.all())

        def filtered() -> None:
            # The prefetched rows are thrown away: each filter is a query of its own.
            for story in queryset.all():
                list(story.tags.filter(name__startswith="a"))

        found = [loads(tracked(body))[("tags", "tags")] for body in (iterated, counted, filtered)]
    assert [load.read for load in found] == [True, True, False]
    assert {(load.holders, load.rows) for load in found} == {(10, 20)}


@pytest.mark.django_db
def test_a_to_attr_prefetch_is_read_through_its_list() -> None:
    populate(10)
    newest = Prefetch("stories", queryset=Story.objects.order_by("-id"), to_attr="newest")

    def unread() -> None:
        assert [author.name for author in Author.objects.prefetch_related(newest)]

    def read() -> None:
        assert all(author.newest[0] for author in Author.objects.prefetch_related(newest))

    label = 'Prefetch("stories", queryset=…, to_attr="newest")'
    not_read = loads(tracked(unread))[(label, "stories")]
    was_read = loads(tracked(read))[(label, "stories")]
    assert (not_read.read, was_read.read) == (False, True)
    assert not_read.rows == 10 and not_read.holders == 2


@pytest.mark.django_db
def test_a_nested_prefetch_reads_each_level_on_its_own() -> None:
    populate(10)

    def view() -> None:
        for story in Story.objects.prefetch_related("author__stories"):
            assert story.author.name  # the author, never the author's other stories

    found = loads(tracked(view))
    assert found[("author__stories", "author")].read is True
    assert found[("author__stories", "author__stories")].read is False
    assert found[("author__stories", "author__stories")].rows == 10


@pytest.mark.django_db
def test_what_django_reads_to_prefetch_through_a_join_is_not_a_read() -> None:
    populate(10)

    def view() -> None:
        stories = Story.objects.select_related("author").prefetch_related("author__stories")
        assert [story.title for story in stories]

    found = loads(tracked(view))
    # Django walked story.author to reach each author's stories; the view read neither.
    assert found[("author", "author")].read is False
    assert found[("author__stories", "author__stories")].read is False


@pytest.mark.django_db
def test_a_lookup_with_no_rows_loads_none() -> None:
    populate(10)

    def view() -> None:
        assert list(Story.objects.filter(pk__lt=0).select_related("author")) == []
        assert list(Author.objects.filter(stories__isnull=True).prefetch_related("stories")) == []

    assert tracked(view) == EagerUse()


@pytest.mark.django_db
def test_select_related_none_forgets_what_was_asked_for() -> None:
    populate(5)

    def view() -> None:
        assert list(Story.objects.select_related("author").select_related(None))

    assert loads(tracked(view)) == {}


@pytest.mark.django_db
def test_to_one_relations_loaded_lazily_are_noted() -> None:
    populate(5)

    def view() -> None:
        assert all(story.author.name for story in Story.objects.all())

    use = tracked(view)
    assert use is not None and use.lazy == frozenset({("demo_story", "author")})


@pytest.mark.django_db
def test_nothing_is_tracked_outside_a_tracked_block() -> None:
    populate(5)
    assert tracked(lambda: list(Story.objects.select_related("author")), track=False) is None


@pytest.mark.django_db
def test_watched_instances_pickle_and_copy_as_plain_ones() -> None:
    populate(5)
    newest = Prefetch("stories", queryset=Story.objects.order_by("-id"), to_attr="newest")
    kept: list[Author] = []

    def view() -> None:
        kept.extend(Author.objects.select_related(None).prefetch_related("stories", newest))
        story = Story.objects.select_related("author").first()
        assert story is not None
        kept.append(story.author)
        copied = copy.deepcopy(story)
        assert type(copied._state.fields_cache) is dict

    tracked(view)
    author = kept[0]
    restored = pickle.loads(pickle.dumps(author))
    assert type(restored._prefetched_objects_cache) is dict
    assert type(restored.newest) is list
    assert [s.pk for s in restored.newest] == [s.pk for s in list.__iter__(author.newest)]
    assert pickle.loads(pickle.dumps(kept[-1])) == kept[-1]


@pytest.mark.django_db
def test_a_failure_while_tracking_is_counted_and_the_query_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    populate(5)

    def broken(*args: object) -> None:
        raise RuntimeError("tracking broke")

    monkeypatch.setattr(eager_loads, "_selected", broken)
    before = health.error_counts().get("tracking select_related", 0)
    stories: list[Story] = []
    tracked(lambda: stories.extend(Story.objects.select_related("author")))
    assert len(stories) == 5 and all(story.author.name for story in stories)
    assert health.error_counts()["tracking select_related"] == before + 1
