"""The project's own factories (factory_boy) and model_bakery recipes make its rows."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import factory
import pytest
from factory.django import DjangoModelFactory
from model_bakery.recipe import Recipe, seq

import perfkit.demo
from perfkit.bench import factories, fill
from perfkit.demo.models import Author, Story, Tag

pytestmark = pytest.mark.django_db

DEMO = Path(perfkit.demo.__file__).parent


class AuthorFactory(DjangoModelFactory):
    class Meta:
        model = "demo.Author"

    name = factory.Sequence(lambda n: f"Factory author {n}")
    slug = factory.Sequence(lambda n: f"factory-author-{n}")


tag_recipe = Recipe(Tag, name=seq("recipe tag "))


@pytest.fixture(autouse=True)
def _empty() -> None:
    fill.wipe()


@pytest.fixture
def shipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo app ships a factories module and a recipes module, as projects do."""
    made = types.ModuleType("perfkit.demo.factories")
    made.AuthorFactory = AuthorFactory
    recipes = types.ModuleType("perfkit.demo.baker_recipes")
    recipes.tag = tag_recipe
    monkeypatch.setitem(sys.modules, "perfkit.demo.factories", made)
    monkeypatch.setitem(sys.modules, "perfkit.demo.baker_recipes", recipes)


def test_factories_and_recipes_are_found_for_the_models_they_make(shipped: None) -> None:
    makers = factories.found(DEMO, [Author, Tag, Story])
    assert set(makers) == {Author, Tag}


def test_nothing_is_found_outside_the_project_or_without_the_modules(shipped: None) -> None:
    assert factories.found(DEMO / "templates", [Author, Tag]) == {}


def test_fill_makes_the_rows_with_them_and_keeps_its_own_links(shipped: None) -> None:
    models = fill.project_models(DEMO)
    fill.fill(models, 6, makers=factories.found(DEMO, models))
    assert all(
        name.startswith("Factory author ") for name in Author.objects.values_list("name", flat=True)
    )
    assert all(
        name.startswith("recipe tag ") for name in Tag.objects.values_list("name", flat=True)
    )
    first = Author.objects.order_by("pk").first()
    assert first.stories.count() == 3  # links as bench makes them: half to the first parent


def test_a_row_the_factory_refuses_is_made_by_model_bakery() -> None:
    def refuses(**attrs: object) -> None:
        raise ValueError("this factory needs a fixture file")

    filled = fill.fill(fill.project_models(DEMO), 4, makers={Tag: refuses})
    assert Tag.objects.count() == 4 and not filled.skipped
