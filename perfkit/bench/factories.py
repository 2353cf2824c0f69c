"""The project's own row makers: factory_boy factories and model_bakery recipes.

Where a project ships them, they know what a valid row looks like (a slug that matches the
title, a status that a ``clean()`` accepts) better than model_bakery's random values: bench
makes that model's rows with them, its own links and varied values passed as keyword
arguments. They are looked for in each app under the project's directory, in
``factories.py``, ``tests/factories.py`` and ``baker_recipes.py``.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import Model

#: Modules of an app that hold factories or recipes.
MODULES = ("factories", "tests.factories", "baker_recipes")

#: Makes one row from keyword arguments.
Maker = Callable[..., Any]


def found(root: Path, models: list[type[Model]]) -> dict[type[Model], Maker]:
    """A maker per model of ``models`` that the project's factories or recipes cover.

    A module that fails to import (it needs a test-only package) is passed over; the first
    factory or recipe of a model is used.
    """
    from django.apps import apps

    root = root.resolve()
    makers: dict[type[Model], Maker] = {}
    for config in apps.get_app_configs():
        if not Path(config.path).resolve().is_relative_to(root):
            continue
        for name in MODULES:
            module = _imported(f"{config.name}.{name}")
            if module is None:
                continue
            for value in vars(module).values():
                made = _maker(value)
                if made is not None and made[0] in models:
                    makers.setdefault(*made)
    return makers


def _imported(name: str) -> Any:
    with contextlib.suppress(Exception):  # absent, or needs what a bench run lacks
        return importlib.import_module(name)
    return None


def _maker(value: Any) -> tuple[type[Model], Maker] | None:
    """The model ``value`` makes rows of, and how, if it is a factory or a recipe."""
    with contextlib.suppress(ImportError):
        from factory.django import DjangoModelFactory

        if isinstance(value, type) and issubclass(value, DjangoModelFactory):
            model = getattr(value._meta, "model", None)
            if isinstance(model, str):
                model = _model_named(model)
            if isinstance(model, type):
                return model, value.create
    with contextlib.suppress(ImportError):
        from model_bakery.recipe import Recipe

        if isinstance(value, Recipe):
            model = value._model
            if isinstance(model, str):
                model = _model_named(model)
            if isinstance(model, type):
                return model, value.make
    return None


def _model_named(label: str) -> type[Model] | None:
    from django.apps import apps

    with contextlib.suppress(LookupError, ValueError):
        return apps.get_model(label)
    return None
