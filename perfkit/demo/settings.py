"""Django settings for the demo site, configured through PERFKIT_DEMO_* environment variables."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured


def caches_from_url(url: str) -> dict[str, dict[str, Any]]:
    """The CACHES setting for ``url``: "" or "locmem", "none", "redis://…" or "memcached://…"."""
    if url in ("", "locmem"):
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if url == "none":
        return {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    scheme = urlsplit(url).scheme
    if scheme in ("redis", "rediss"):
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
            }
        }
    if scheme == "memcached":
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
                "LOCATION": urlsplit(url).netloc,
            }
        }
    raise ImproperlyConfigured(
        f"PERFKIT_DEMO_CACHE={url!r} is not understood; use locmem, none, redis://… or "
        "memcached://host:port"
    )


def databases_from_url(url: str, sqlite_name: str) -> dict[str, dict[str, Any]]:
    """DATABASES for ``url`` (postgresql://user@host:port/db), else SQLite at ``sqlite_name``."""
    if not url:
        return {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": sqlite_name}}
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres") or not parts.path.strip("/"):
        raise ImproperlyConfigured(
            f"PERFKIT_DEMO_DATABASE_URL={url!r} is not understood; use "
            "postgresql://user@host:port/dbname"
        )
    return {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": parts.path.strip("/"),
            "USER": parts.username or "",
            "PASSWORD": parts.password or "",
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            # Safe behind pgbouncer in transaction mode: no named cursors, no prepared statements.
            "DISABLE_SERVER_SIDE_CURSORS": True,
            "OPTIONS": {"prepare_threshold": None},
        }
    }


SECRET_KEY = "perfkit-demo-not-secret-3c1f0e9b7a"

DEBUG = os.environ.get("PERFKIT_DEMO_DEBUG", "1").strip().lower() not in ("0", "false", "no")

# The demo only ever listens on loopback, so any Host header is fine.
ALLOWED_HOSTS = ["*"]

INTERNAL_IPS = ["127.0.0.1"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "perfkit",
    "perfkit.demo",
]

MIDDLEWARE = [
    "perfkit.middleware.PerfkitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "perfkit.demo.urls"
WSGI_APPLICATION = "perfkit.demo.wsgi.application"
ASGI_APPLICATION = "perfkit.demo.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = databases_from_url(
    os.environ.get("PERFKIT_DEMO_DATABASE_URL", ""),
    os.environ.get("PERFKIT_DEMO_DB", "demo.sqlite3"),
)

CACHES = caches_from_url(os.environ.get("PERFKIT_DEMO_CACHE", ""))

STATIC_URL = "/static/"
STATIC_ROOT = os.environ.get("PERFKIT_DEMO_STATIC_ROOT") or None
MEDIA_URL = "/media/"
MEDIA_ROOT = os.environ.get("PERFKIT_DEMO_MEDIA_ROOT", "")

USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PERFKIT: dict[str, Any] = {"STORE": os.environ.get("PERFKIT_STORE", "sqlite:///perfkit.sqlite3")}
