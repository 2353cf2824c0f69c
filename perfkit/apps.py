"""The Django app: registers system checks and installs the query and cache recorders."""

from __future__ import annotations

from django.apps import AppConfig


class PerfkitConfig(AppConfig):
    name = "perfkit"
    verbose_name = "perfkit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from perfkit import checks  # noqa: F401 - registers the checks
        from perfkit.capture import cache, db

        db.install()
        cache.install()
