"""perfkit's settings: defaults, the user's ``PERFKIT`` dict merged over them, and validation."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from perfkit.errors import SettingsError

DEFAULTS: dict[str, Any] = {
    "ENABLED": True,
    "STORE": "sqlite:///perfkit.sqlite3",
    "SAMPLE_RATE": 1.0,
    "SERVER_TIMING": "auto",
    "CALLSITES": True,
    "CALLSITE_IGNORE": [],
    "RECORD_PARAMS": False,
    "IGNORE_PATHS": ["/static/", "/media/", "/favicon.ico"],
    "QUEUE_SIZE": 10_000,
    "BATCH_SIZE": 500,
    "WRITER_PROCESS": True,
    "PROFILE_DIR": "perfkit-profiles",
    "BENCH_REPORT": "perfkit-report/bench.json",
    "STORE_IN_TESTS": False,
    "EAGER_LOADS": False,
}

DESCRIPTIONS: dict[str, str] = {
    "ENABLED": "record requests at all",
    "STORE": "where recordings go: sqlite:///path, postgresql://…, redis://…, jsonl:///path",
    "SAMPLE_RATE": "fraction of requests recorded, 0.0 to 1.0",
    "SERVER_TIMING": '"auto" (DEBUG or INTERNAL_IPS), True (always) or False (never)',
    "CALLSITES": "record the line of code (or template) that issued each query",
    "CALLSITE_IGNORE": "extra module prefixes skipped when looking for a call site",
    "RECORD_PARAMS": "store SQL parameters (off: never stored by default)",
    "IGNORE_PATHS": "path prefixes never recorded",
    "QUEUE_SIZE": "records held for the background writer before new ones are dropped",
    "BATCH_SIZE": "records written to the store in one go",
    "WRITER_PROCESS": "encode and write recordings in a child process of each server process "
    "(off, or where one cannot start: in a thread of the server process, holding its GIL)",
    "PROFILE_DIR": "directory for on-demand pyinstrument profiles (HTML)",
    "BENCH_REPORT": "the perfkit bench JSON report the toolbar panel reads O(n)/caching flags from",
    "STORE_IN_TESTS": "under pytest, also write to STORE (off: a test run's requests stay in "
    "the plugin's in-memory recordings)",
    "EAGER_LOADS": "track which select_related / prefetch_related rows each request reads "
    "(off: the ORM is left unpatched; bench and the pytest plugin track regardless)",
}


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)


def _is_positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _is_path(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _is_rate(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1


def _is_store_url(value: Any) -> bool:
    from perfkit.store import SCHEMES

    return isinstance(value, str) and value.split("://", 1)[0] in SCHEMES and "://" in value


VALIDATORS: dict[str, tuple[Any, str]] = {
    "ENABLED": (_is_bool, "True or False"),
    "STORE": (_is_store_url, "a URL starting sqlite://, postgresql://, redis:// or jsonl://"),
    "SAMPLE_RATE": (_is_rate, "a number from 0.0 to 1.0"),
    "SERVER_TIMING": (lambda v: v in ("auto", True, False), '"auto", True or False'),
    "CALLSITES": (_is_bool, "True or False"),
    "CALLSITE_IGNORE": (_is_str_list, "a list of module prefixes"),
    "RECORD_PARAMS": (_is_bool, "True or False"),
    "STORE_IN_TESTS": (_is_bool, "True or False"),
    "EAGER_LOADS": (_is_bool, "True or False"),
    "IGNORE_PATHS": (_is_str_list, "a list of path prefixes"),
    "QUEUE_SIZE": (_is_positive_int, "a whole number above 0"),
    "BATCH_SIZE": (_is_positive_int, "a whole number above 0"),
    "WRITER_PROCESS": (_is_bool, "True or False"),
    "PROFILE_DIR": (_is_path, "a directory path"),
    "BENCH_REPORT": (_is_path, "a file path"),
}


def problems(user: Any) -> list[str]:
    """Every problem with a ``PERFKIT`` settings value, one message each."""
    if not isinstance(user, dict):
        return [f"PERFKIT must be a dict, not {type(user).__name__}"]
    found = []
    for key, value in user.items():
        if key not in DEFAULTS:
            accepted = ", ".join(sorted(DEFAULTS))
            found.append(f"PERFKIT[{key!r}] is not a perfkit setting; accepted: {accepted}")
            continue
        check, accepted = VALIDATORS[key]
        if not check(value):
            found.append(f"PERFKIT[{key!r}] = {value!r} is not accepted; use {accepted}")
    return found


@functools.cache
def get_config() -> dict[str, Any]:
    """The effective settings: defaults overlaid with ``settings.PERFKIT``; raises SettingsError."""
    user = getattr(settings, "PERFKIT", {})
    found = problems(user)
    if found:
        raise SettingsError("; ".join(found))
    config = {**DEFAULTS, **user}
    config["IGNORE_PATHS"] = tuple(config["IGNORE_PATHS"])  # ready for str.startswith
    config["STORE"] = _anchored(config["STORE"], getattr(settings, "BASE_DIR", None))
    # Derived, not a setting: whether the middleware writes recordings to STORE at all (a
    # test client's requests under pytest are not the site's traffic).
    # pytest imports perfkit's plugin before it sets Django up, unless told ``-p no:perfkit``.
    config["PERSIST"] = config["STORE_IN_TESTS"] or "perfkit.pytest_plugin" not in sys.modules
    return config


def _anchored(store: str, base_dir: Any) -> str:
    """A relative SQLite or JSON-lines path, resolved against the project's ``BASE_DIR``.

    Without it, ``sqlite:///perfkit.sqlite3`` landed wherever the server was started from.
    """
    # What follows each prefix is the path: relative unless it starts with a slash
    # (sqlite:////abs/path, jsonl:///abs/path).
    for prefix in ("sqlite:///", "jsonl://"):
        path = store[len(prefix) :]
        if base_dir and store.startswith(prefix) and path and not path.startswith("/"):
            return prefix + str(Path(base_dir).absolute() / path)
    return store


@receiver(setting_changed)
def _reset_config(*, setting: str, **kwargs: Any) -> None:
    if setting == "PERFKIT":
        get_config.cache_clear()
