"""A generated Django project the size of a real one: apps of related models, all in the admin.

``write(root, apps=4, models=10)`` writes ``root/genproject`` (settings, URLconf) and one
package per app. Each app's models form a chain of foreign keys with a many-to-many to the
app's first model, and every model is registered in the admin, which gives about six routes
per model: 40 models make a project of about 250 routes, the size the speed target is for.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

SETTINGS = """
SECRET_KEY = "generated"
DEBUG = False
ALLOWED_HOSTS = []
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    {apps}
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "genproject.urls"
TEMPLATES = [{{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {{"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]}},
}}]
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": "gen.sqlite3"}}}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
"""

URLS = """
from django.contrib import admin
from django.urls import path

urlpatterns = [path("admin/", admin.site.urls)]
"""


def _models(app: str, count: int) -> str:
    lines = ["from django.db import models", ""]
    for index in range(count):
        name = f"{app.title()}Item{index}"
        lines += [f"class {name}(models.Model):", "    name = models.CharField(max_length=60)"]
        lines.append("    created = models.DateTimeField(auto_now_add=True)")
        if index:
            parent = f"{app.title()}Item{index - 1}"
            lines.append(f"    parent = models.ForeignKey({parent!r}, models.CASCADE)")
        if index == count - 1 and count > 1:
            lines.append(f"    links = models.ManyToManyField({app.title() + 'Item0'!r})")
        lines += ["", "    def __str__(self):", "        return self.name", ""]
    return "\n".join(lines)


def _admin(app: str, count: int) -> str:
    names = ", ".join(f"{app.title()}Item{index}" for index in range(count))
    return (
        "from django.contrib import admin\n\n"
        f"from {app}.models import {names}\n\n"
        f"admin.site.register([{names}])\n"
    )


def write(root: Path, apps: int = 4, models: int = 10) -> Path:
    """Write the project under ``root``; returns the directory to run perfkit bench from."""
    names = [f"app{index}" for index in range(apps)]
    files = {
        "genproject/__init__.py": "",
        "genproject/settings.py": SETTINGS.format(apps=" ".join(f'"{n}",' for n in names)),
        "genproject/urls.py": URLS,
    }
    for app in names:
        files[f"{app}/__init__.py"] = ""
        files[f"{app}/models.py"] = _models(app, models)
        files[f"{app}/admin.py"] = _admin(app, models)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root
