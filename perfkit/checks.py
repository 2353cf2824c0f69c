"""Django system checks: perfkit's settings, middleware placement, the store, the profile dir."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from perfkit import conf
from perfkit.errors import SettingsError

MIDDLEWARE = "perfkit.middleware.PerfkitMiddleware"

#: Middleware that can answer a request without calling the rest of the chain: whatever
#: they answer never reaches a PerfkitMiddleware placed after them.
SHORT_CIRCUITS: dict[str, str] = {
    "django.middleware.cache.FetchFromCacheMiddleware": "serves cached pages",
    "django.middleware.cache.CacheMiddleware": "serves cached pages",
    "django.middleware.common.CommonMiddleware": "redirects for PREPEND_WWW",
    "django.middleware.security.SecurityMiddleware": "redirects to HTTPS",
    "whitenoise.middleware.WhiteNoiseMiddleware": "serves static files",
    "corsheaders.middleware.CorsMiddleware": "answers CORS preflight requests",
}

#: Seconds the store check waits for ``count()`` before calling the store unreachable.
STORE_TIMEOUT_S = 2.0


@register()
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """perfkit.E001: a ``PERFKIT`` setting holds a value perfkit does not accept."""
    return [
        Error(message, hint=_hint(message), id="perfkit.E001")
        for message in conf.problems(getattr(settings, "PERFKIT", {}))
    ]


def _hint(message: str) -> str:
    key = message.split("'")[1] if "'" in message else ""
    meaning = conf.DESCRIPTIONS.get(key)
    if meaning:
        return f"{key}: {meaning} (default {conf.DEFAULTS[key]!r})."
    return "See the settings table in perfkit's README."


@register()
def check_middleware(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """perfkit.W001: the middleware is missing; perfkit.W002: something above it answers first."""
    middleware = list(getattr(settings, "MIDDLEWARE", None) or [])
    if MIDDLEWARE not in middleware:
        return [
            Warning(
                f"{MIDDLEWARE} is not in MIDDLEWARE, so no request is recorded.",
                hint=f'Add "{MIDDLEWARE}" as the first entry of MIDDLEWARE.',
                id="perfkit.W001",
            )
        ]
    above = middleware[: middleware.index(MIDDLEWARE)]
    return [
        Warning(
            f"{MIDDLEWARE} comes after {path}, which {SHORT_CIRCUITS[path]}: those responses "
            "are never recorded.",
            hint=f'Move "{MIDDLEWARE}" to the top of MIDDLEWARE, above {path}.',
            id="perfkit.W002",
        )
        for path in above
        if path in SHORT_CIRCUITS
    ]


@register()
def check_store(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """perfkit.W003: the store cannot be opened and counted within a couple of seconds."""
    try:
        url = conf.get_config()["STORE"]
    except SettingsError:
        return []  # E001 already says what is wrong
    problem = store_problem(url, STORE_TIMEOUT_S)
    if problem is None:
        return []
    from perfkit.store import redact_url

    return [
        Warning(
            f"perfkit's store {redact_url(url)} is unreachable: {problem}. Recordings will be "
            "dropped until it answers.",
            hint='Start the store, or point PERFKIT["STORE"] at one that runs.',
            id="perfkit.W003",
        )
    ]


def store_problem(url: str, timeout: float) -> str | None:
    """Why the store at ``url`` cannot be read, or None; gives up after ``timeout`` seconds."""
    from perfkit.store import open_store
    from perfkit.store.jsonl import parse_jsonl_url
    from perfkit.store.sqlite import parse_sqlite_url

    scheme = url.partition("://")[0].lower()
    try:
        if scheme in ("sqlite", "jsonl"):
            path = Path((parse_sqlite_url if scheme == "sqlite" else parse_jsonl_url)(url))
            if str(path) != ":memory:" and not path.exists():
                return _creatable(path.parent)  # the writer creates it on the first record
            if scheme == "jsonl":  # counting would parse every line; appending is what matters
                return None if os.access(path, os.R_OK | os.W_OK) else f"cannot append to {path}"
        store = open_store(url)
    except Exception as error:
        return _first_line(error)
    outcome: list[str | None] = []

    def count() -> None:
        try:
            store.count()
            outcome.append(None)
        except Exception as error:
            outcome.append(_first_line(error))
        finally:
            store.close()

    thread = threading.Thread(target=count, name="perfkit-store-check", daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        return f"no answer within {timeout:g} s"
    return outcome[0]


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


@register()
def check_profile_dir(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """perfkit.W004: on-demand profiles could not be written to ``PROFILE_DIR``."""
    try:
        directory = Path(conf.get_config()["PROFILE_DIR"]).resolve()
    except SettingsError:
        return []
    problem = _creatable(directory)
    if problem is None:
        return []
    return [
        Warning(
            f"On-demand profiles cannot be saved: {problem}.",
            hint='Point PERFKIT["PROFILE_DIR"] at a directory this process can write to.',
            id="perfkit.W004",
        )
    ]


def _creatable(directory: Path) -> str | None:
    """None if ``directory`` is, or can be made as, a directory this process writes to."""
    while not directory.exists() and directory != directory.parent:
        directory = directory.parent
    if directory.is_dir() and os.access(directory, os.W_OK | os.X_OK):
        return None
    return f"{directory} is not a writable directory"
