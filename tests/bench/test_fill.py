"""Generated data: the project's own models and users, filled to size n, deterministically."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test.utils import isolate_apps

import perfkit
from perfkit.bench import fill, links, personas
from perfkit.demo.models import Author, Story, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty() -> None:
    """Other modules leave demo rows behind (outside their test transactions)."""
    fill.wipe()


ROOT = Path(perfkit.__file__).parent


def test_project_models_are_the_apps_under_the_root_plus_users_parents_first() -> None:
    models = fill.project_models(ROOT)
    assert set(models) == {User, Author, Tag, Story}
    assert models.index(Story) > max(models.index(Author), models.index(Tag))


def test_fill_makes_n_rows_each_and_the_personas_lead_the_users() -> None:
    filled = fill.fill(fill.project_models(ROOT), 6)
    assert [m.objects.count() for m in (User, Author, Tag, Story)] == [9, 6, 6, 6]
    assert [u.username for u in filled.rows[User][:3]] == [
        personas.username(p) for p in (personas.USER, personas.STAFF, personas.SUPERUSER)
    ]
    assert not filled.skipped


def test_one_parent_has_half_the_children_and_many_to_many_fans_out_with_n() -> None:
    for n in (6, 12):
        fill.wipe()
        fill.fill(fill.project_models(ROOT), n)
        counts = sorted((a.stories.count() for a in Author.objects.all()), reverse=True)
        assert counts[0] == n // 2 and sum(counts) == n
        first_story = Story.objects.order_by("pk").first()
        first_tag = Tag.objects.order_by("pk").first()
        assert first_story.tags.count() == n and first_tag.stories.count() == n
        assert min(story.tags.count() for story in Story.objects.all()) >= links.OWN_LINKS


def test_dates_spread_over_a_range_from_today() -> None:
    from django.utils import timezone

    fill.fill(fill.project_models(ROOT), 12)
    stamps = list(Story.objects.order_by("pk").values_list("published_at", flat=True))
    now = timezone.now()
    assert abs((stamps[0] - now).total_seconds()) < 3600
    assert len(set(stamps)) == 12
    assert min(stamps) < now - timedelta(days=30) and max(stamps) > now + timedelta(days=30)


def test_the_same_size_gives_the_same_rows_after_a_wipe() -> None:
    models = fill.project_models(ROOT)
    fill.fill(models, 4)
    first = list(Story.objects.order_by("pk").values_list("title", "body"))
    fill.wipe()
    assert Story.objects.count() == 0
    fill.fill(models, 4)
    assert list(Story.objects.order_by("pk").values_list("title", "body")) == first


def test_the_personas_are_made_once_with_their_powers_and_no_usable_password() -> None:
    from django.contrib.auth.models import Permission

    personas.create()
    made = personas.create()
    assert User.objects.count() == 3
    flags = [(u.is_active, u.is_staff, u.is_superuser) for u in made]
    assert flags == [(True, False, False), (True, True, False), (True, True, True)]
    assert not any(u.has_usable_password() for u in made)
    plain, staff, _superuser = made
    assert staff.user_permissions.count() == Permission.objects.count() > 0
    assert plain.user_permissions.count() == 0


@isolate_apps("perfkit.demo")
def test_a_uniqueness_rule_kept_by_a_random_column_leaves_the_foreign_key_skewed() -> None:
    from django.db import models

    class Publisher(models.Model):
        class Meta:
            app_label = "demo"

    def series(name: str, column: models.Field) -> type:
        meta = type("Meta", (), {"app_label": "demo", "unique_together": [("publisher", "x")]})
        attrs = {"publisher": models.ForeignKey(Publisher, on_delete=models.CASCADE), "x": column}
        return type(name, (models.Model,), {"__module__": __name__, "Meta": meta, **attrs})

    # A random name lets one publisher have many series; a date ("now"), a default or a
    # boolean would repeat, so each row gets a publisher of its own.
    assert fill._unique_relation_sets(series("ByName", models.CharField(max_length=9))) == []
    for name, column in (
        ("ByYear", models.DateField()),
        ("ByPosition", models.IntegerField(default=0)),
        ("ByFlag", models.BooleanField()),
    ):
        assert fill._unique_relation_sets(series(name, column)) == [("publisher",)], name


def test_personas_a_user_model_refuses_are_a_skip_and_the_rest_is_filled(monkeypatch) -> None:
    def refuse() -> list:
        User.objects.create(username="half-made")  # undone with the failed savepoint
        raise ValueError("members need an invitation code")

    monkeypatch.setattr(personas, "create", refuse)
    filled = fill.fill(fill.project_models(ROOT), 4)
    assert filled.skipped == [
        {
            "model": "auth.User",
            "reason": "the personas could not be made: ValueError: members need an invitation code",
        }
    ]
    assert filled.personas == [] and User.objects.count() == 4
    assert Story.objects.count() == 4
