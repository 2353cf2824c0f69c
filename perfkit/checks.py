"""Django system checks for perfkit's settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from perfkit import conf


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
