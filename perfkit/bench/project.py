"""A user's Django project, run in-process: its settings adjusted for the run, a test database."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from perfkit.commands.errors import UsageError

MIDDLEWARE = "perfkit.middleware.PerfkitMiddleware"
LOCMEM = "django.core.cache.backends.locmem.LocMemCache"


def one_line(error: BaseException) -> str:
    """``Type: first line of the message``, for errors a user has to read."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def configure(settings_module: str, store_url: str, root: Path) -> None:
    """Import the project's settings (``root`` importable, like manage.py) and set Django up.

    For the run only: perfkit's middleware goes first and its app is installed, recordings go
    to ``store_url``, every cache alias is a local-memory cache (so bench never clears a shared
    cache), mail stays in memory and the test client's host is allowed.
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
        _adjust(store_url)
        import django

        django.setup()
    except UsageError:
        raise
    except Exception as error:
        raise UsageError(f"Django setup with {settings_module} failed: {one_line(error)}") from None


def _adjust(store_url: str) -> None:
    from django.conf import settings

    from perfkit import conf

    settings.MIDDLEWARE = [MIDDLEWARE, *(m for m in settings.MIDDLEWARE if m != MIDDLEWARE)]
    apps = list(settings.INSTALLED_APPS)
    if not any(app == "perfkit" or app.startswith("perfkit.apps") for app in apps):
        settings.INSTALLED_APPS = [*apps, "perfkit"]
    user = getattr(settings, "PERFKIT", {})
    problems = conf.problems(user)
    if problems:
        raise UsageError(f"the project's {problems[0]}")
    settings.PERFKIT = {**user, "ENABLED": True, "SAMPLE_RATE": 1.0, "STORE": store_url}
    settings.CACHES = {
        alias: {"BACKEND": LOCMEM, "LOCATION": f"perfkit-bench-{alias}"}
        for alias in settings.CACHES
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.DEBUG = False


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
