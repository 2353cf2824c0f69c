"""Bench scenarios: a Python file naming the URLs, a data builder, users and repeat counts."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perfkit.bench.runner import METHODS, Target
from perfkit.errors import UsageError, one_line


@dataclass
class Scenario:
    """What a scenario file defines; anything it leaves out falls back to discovery/defaults."""

    path: Path
    urls: list[Any] | Callable[[int], list[Any]] | None = None
    setup: Callable[[int], None] | None = None
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    login: str | None = None
    sizes: list[int] | None = None
    repeat: int | None = None
    warmup: int | None = None

    def fail(self, message: str) -> UsageError:
        return UsageError(f"scenario {self.path}: {message}")

    def build(self, size: int) -> None:
        """Run ``setup(size)``; an exception in it is one line naming the scenario."""
        if self.setup is None:
            return
        try:
            self.setup(size)
        except Exception as error:
            raise self.fail(f"setup({size}) raised {one_line(error)}") from None

    def targets(self, size: int) -> list[Target]:
        """The scenario's URLs at ``size`` (``URLS`` may be a function of the size)."""
        entries = self.urls
        if callable(entries):
            try:
                entries = entries(size)
            except Exception as error:
                raise self.fail(f"URLS({size}) raised {one_line(error)}") from None
        if not isinstance(entries, list | tuple):
            raise self.fail(f"URLS must be a list (or return one), not {type(entries).__name__}")
        return [self.target(entry) for entry in entries]

    def target(self, entry: Any) -> Target:
        """One URLS entry: "/path/", (method, path[, data]) or a dict with those keys."""
        if isinstance(entry, str):
            entry = {"path": entry}
        elif isinstance(entry, list | tuple) and len(entry) in (2, 3):
            entry = dict(zip(("method", "path", "data"), entry, strict=False))
        if not isinstance(entry, Mapping) or not isinstance(entry.get("path"), str):
            raise self.fail(
                f"URLS entry {entry!r} is not a path, (method, path[, data]) or a dict with 'path'"
            )
        method = str(entry.get("method", "GET")).upper()
        if method not in METHODS:
            raise self.fail(
                f"URLS entry {entry['path']!r}: method {method!r} is not one of "
                f"{', '.join(METHODS)}"
            )
        data = entry.get("data")
        if data is not None and not (callable(data) or isinstance(data, Mapping)):
            raise self.fail(f"URLS entry {entry['path']!r}: data must be a dict or a function")
        name = entry.get("name") or (
            entry["path"] if method == "GET" else f"{method} {entry['path']}"
        )
        return Target(name, entry["path"], method, data, entry.get("user"))

    def create_users(self) -> None:
        """Make every user in ``USERS`` that the data does not already have."""
        from django.contrib.auth import get_user_model
        from model_bakery import baker

        model = get_user_model()
        for username, values in self.users.items():
            lookup: dict[str, Any] = {model.USERNAME_FIELD: username}
            if not model._default_manager.filter(**lookup).exists():
                try:
                    baker.make(model, **lookup, **values)
                except Exception as error:
                    raise self.fail(f"USERS[{username!r}] raised {one_line(error)}") from None


def load(path: Path) -> Scenario:
    """Import a scenario file; a missing file, a syntax error or a failing import is one line."""
    if not path.is_file():
        raise UsageError(f"--scenario {path}: no such file")
    spec = importlib.util.spec_from_file_location(f"perfkit_scenario_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise UsageError(f"--scenario {path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        raise UsageError(
            f"scenario {path}: syntax error at line {error.lineno}: {error.msg}"
        ) from None
    except Exception as error:
        raise UsageError(f"scenario {path} fails to import: {one_line(error)}") from None
    return _from_module(path, vars(module))


def _from_module(path: Path, names: dict[str, Any]) -> Scenario:
    scenario = Scenario(
        path=path,
        urls=names.get("URLS"),
        setup=names.get("setup"),
        users=names.get("USERS") or {},
        login=names.get("LOGIN"),
        sizes=names.get("SIZES"),
        repeat=names.get("REPEAT"),
        warmup=names.get("WARMUP"),
    )
    if scenario.urls is not None and not (
        callable(scenario.urls) or isinstance(scenario.urls, list | tuple)
    ):
        raise scenario.fail("URLS must be a list or a function of the size")
    if scenario.setup is not None and not callable(scenario.setup):
        raise scenario.fail("setup must be a function taking the size")
    if not isinstance(scenario.users, dict) or not all(
        isinstance(v, dict) for v in scenario.users.values()
    ):
        raise scenario.fail('USERS must be a dict like {"editor": {"is_staff": True}}')
    for name, least in (("repeat", 1), ("warmup", 0)):
        value = getattr(scenario, name)
        if value is not None and (not isinstance(value, int) or value < least):
            raise scenario.fail(f"{name.upper()} must be a whole number, {least} or more")
    if scenario.sizes is not None:
        sizes = scenario.sizes if isinstance(scenario.sizes, list | tuple) else [0]
        if not all(isinstance(s, int) and s > 0 for s in sizes) or len(set(sizes)) < 2:
            raise scenario.fail("SIZES must list two or more whole numbers above 0")
        scenario.sizes = sorted(set(sizes))
    return scenario
