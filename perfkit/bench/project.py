"""A user's Django project, run in-process: its settings adjusted for the run, a test database."""

from __future__ import annotations

import contextlib
import importlib
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from perfkit.errors import UsageError, one_line

MIDDLEWARE = "perfkit.middleware.PerfkitMiddleware"
LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
DUMMY = "django.core.cache.backends.dummy.DummyCache"
#: Entries a local-memory cache standing in for a shared one holds (locmem's default is 300).
LOCMEM_ENTRIES = 100_000


def configure(settings_module: str, store_url: str, root: Path) -> list[str]:
    """Import the project's settings (``root`` importable, like manage.py) and set Django up.

    The project runs as itself, but for what isolating the run needs: perfkit's middleware
    goes first and its app is installed, recordings go to ``store_url``, every cache alias is
    a local-memory cache that keeps the alias's other keys (so bench never clears a shared
    cache, and code reading ``CACHES["default"]["TIMEOUT"]`` still works), mail stays in
    memory and the test client's host is allowed. DEBUG stays as the project sets it: tools
    such as django-compressor change behaviour with it. Returns what was changed, one line each.
    """
    sys.path.insert(0, str(root))
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    try:
        importlib.import_module(settings_module)
    except Exception as error:
        missing = isinstance(error, ModuleNotFoundError) and error.name
        if missing and settings_module.startswith(missing):
            raise UsageError(
                f"--settings {settings_module}: no such module in {root}; run perfkit bench "
                "from your project's directory (where manage.py is)"
            ) from None
        raise UsageError(
            f"--settings {settings_module} fails to import: {one_line(error)}"
        ) from None
    try:
        changes = _adjust(store_url)
        import django

        django.setup()
    except UsageError:
        raise
    except Exception as error:
        raise UsageError(f"Django setup with {settings_module} failed: {one_line(error)}") from None
    return changes


def _adjust(store_url: str) -> list[str]:
    from django.conf import settings

    from perfkit import conf

    changes = []
    if settings.MIDDLEWARE[:1] != [MIDDLEWARE]:
        settings.MIDDLEWARE = [MIDDLEWARE, *(m for m in settings.MIDDLEWARE if m != MIDDLEWARE)]
        changes.append(f"MIDDLEWARE: {MIDDLEWARE} first")
    apps = list(settings.INSTALLED_APPS)
    if not any(app == "perfkit" or app.startswith("perfkit.apps") for app in apps):
        settings.INSTALLED_APPS = [*apps, "perfkit"]
        changes.append('INSTALLED_APPS: "perfkit" added')
    user = getattr(settings, "PERFKIT", {})
    problems = conf.problems(user)
    if problems:
        raise UsageError(f"the project's {problems[0]}")
    settings.PERFKIT = {**user, "ENABLED": True, "SAMPLE_RATE": 1.0, "STORE": store_url}
    changes.append("PERFKIT: recording every request into the run's own store")
    project_caches = settings.CACHES
    settings.CACHES = {alias: _isolated(alias, config) for alias, config in project_caches.items()}
    changes += [
        f"CACHES[{alias!r}]: {config.get('BACKEND')} -> a local-memory cache (its other keys kept)"
        for alias, config in project_caches.items()
        if config.get("BACKEND") not in (LOCMEM, DUMMY)
    ]
    mail = "django.core.mail.backends.locmem.EmailBackend"
    if mail != settings.EMAIL_BACKEND:
        settings.EMAIL_BACKEND = mail
        changes.append("EMAIL_BACKEND: mail kept in memory")
    if not _has_secret_key(settings):
        # Babybuddy's settings read it from the environment, empty when unset: logging a
        # persona in signs its session with it.
        settings.SECRET_KEY = secrets.token_urlsafe(50)
        changes.append("SECRET_KEY: a throw-away key for this run (the settings have none)")
    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        changes.append('ALLOWED_HOSTS: "testserver" (the test client) added')
    return changes


def _has_secret_key(settings: Any) -> bool:
    from django.core.exceptions import ImproperlyConfigured

    try:
        return bool(settings.SECRET_KEY)
    except ImproperlyConfigured:  # Django refuses to give out an empty one
        return False


def _isolated(alias: str, config: dict[str, Any]) -> dict[str, Any]:
    """A local-memory cache with the alias's other keys (TIMEOUT, KEY_PREFIX, OPTIONS…) kept.

    A dummy cache stays one (the project means not to cache); a shared cache's own size is
    not locmem's default of 300 entries, so it gets room for a bench's worth of keys.
    """
    if config.get("BACKEND") == DUMMY:
        return config
    options = dict(config.get("OPTIONS") or {})
    if config.get("BACKEND") != LOCMEM:
        options.setdefault("MAX_ENTRIES", LOCMEM_ENTRIES)
    return {**config, "BACKEND": LOCMEM, "LOCATION": f"perfkit-bench-{alias}", "OPTIONS": options}


def check_urlconf() -> None:
    """Import the URLconf now, so a broken one is one clear line before any work is done."""
    from django.conf import settings
    from django.urls import get_resolver

    try:
        get_resolver().url_patterns  # noqa: B018 - importing it is the point
    except Exception as error:
        urlconf = getattr(settings, "ROOT_URLCONF", None)
        raise UsageError(f"the URLconf {urlconf!r} fails to import: {one_line(error)}") from None


@contextlib.contextmanager
def test_databases() -> Iterator[None]:
    """Django's throw-away test databases for every alias, migrated; destroyed afterwards."""
    from django.test.utils import setup_databases, teardown_databases

    try:
        old = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
    except Exception as error:
        raise UsageError(f"cannot create the test database: {one_line(error)}") from None
    try:
        yield
    finally:
        teardown_databases(old, verbosity=0)


def clear_caches() -> None:
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
