"""A tiny throw-away Django project written into tmp_path, and a way to run perfkit in it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SETTINGS = """
SECRET_KEY = "not-secret"
DEBUG = True
ALLOWED_HOSTS = []
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "blog",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "mysite.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "real.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
"""

URLS = """
from django.contrib import admin
from django.urls import path

from blog import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("posts/", views.post_list, name="post_list"),
    path("people/<str:username>/", views.user_posts, name="user_posts"),
    path("tags/<str:tag>/", views.tag_posts, name="tag_posts"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
"""

MODELS = """
from django.conf import settings
from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=40, unique=True)


class Post(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    tags = models.ManyToManyField(Tag, related_name="posts")
"""

VIEWS = """
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from blog.models import Post, Tag


def post_list(request):
    # N+1: the author and the tags of every post are fetched one post at a time.
    lines = [
        f"{p.title} by {p.author.username}: {', '.join(t.name for t in p.tags.all())}"
        for p in Post.objects.order_by("id")
    ]
    return HttpResponse("\\n".join(lines))


def user_posts(request, username):
    user = get_object_or_404(User, username=username)
    return HttpResponse("post\\n" * user.posts.count())


def tag_posts(request, tag):
    found = get_object_or_404(Tag, name=tag)
    return HttpResponse(str(found.posts.count()))


@login_required
def dashboard(request):
    return HttpResponse(f"{request.user.username}: {Post.objects.count()} posts")
"""

ADMIN = """
from django.contrib import admin

from blog.models import Post, Tag

admin.site.register(Post)
admin.site.register(Tag)
"""


def write_project(where: Path) -> Path:
    """A project with FK + M2M models, an N+1 list, a username route and a login-only view."""
    files = {
        "mysite/__init__.py": "",
        "mysite/settings.py": SETTINGS,
        "mysite/urls.py": URLS,
        "blog/__init__.py": "",
        "blog/models.py": MODELS,
        "blog/views.py": VIEWS,
        "blog/admin.py": ADMIN,
    }
    for name, text in files.items():
        path = where / "site" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return where / "site"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path)


def perfkit(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``perfkit ARGS`` in ``cwd``, as a user runs it, with a wide terminal (and ``env``)."""
    return subprocess.run(
        [sys.executable, "-m", "perfkit", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={"COLUMNS": "160", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **(env or {})},
    )


ROOT = Path(__file__).resolve().parents[2]
