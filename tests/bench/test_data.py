"""Generated data: the project's own models and users, filled to size n, deterministically."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User

import perfkit
from perfkit.bench import data
from perfkit.demo.models import Author, Story, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty() -> None:
    """Other modules leave demo rows behind (outside their test transactions)."""
    data.wipe()


ROOT = Path(perfkit.__file__).parent


def test_project_models_are_the_apps_under_the_root_plus_users_parents_first() -> None:
    models = data.project_models(ROOT)
    assert set(models) == {User, Author, Tag, Story}
    assert models.index(Story) > max(models.index(Author), models.index(Tag))


def test_fill_makes_n_rows_each_linked_so_one_parent_has_many_children() -> None:
    data.fill(data.project_models(ROOT), 6)
    assert [m.objects.count() for m in (User, Author, Tag, Story)] == [6, 6, 6, 6]
    assert {story.tags.count() for story in Story.objects.all()} == {data.M2M_LINKS}
    counts = sorted((a.stories.count() for a in Author.objects.all()), reverse=True)
    assert counts[0] == 3 and sum(counts) == 6


def test_the_same_size_gives_the_same_rows_after_a_wipe() -> None:
    models = data.project_models(ROOT)
    data.fill(models, 4)
    first = list(Story.objects.order_by("pk").values_list("title", "body"))
    data.wipe()
    assert Story.objects.count() == 0
    data.fill(models, 4)
    assert list(Story.objects.order_by("pk").values_list("title", "body")) == first


def test_the_superuser_is_created_once_without_a_usable_password() -> None:
    data.create_superuser()
    data.create_superuser()
    user = User.objects.get(username=data.superuser_name())
    assert (user.is_superuser, user.is_staff, user.is_active) == (True, True, True)
    assert not user.has_usable_password()
    assert User.objects.filter(username=data.SUPERUSER).count() == 1
