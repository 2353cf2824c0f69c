"""The demo site's Django app configuration."""

from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "perfkit.demo"
    label = "demo"
    verbose_name = "perfkit demo"
    default_auto_field = "django.db.models.BigAutoField"
