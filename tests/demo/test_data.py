"""Tests for the demo's data generator, its seeding command, settings helpers and entry points."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db.models import Count

from perfkit.demo.data import populate
from perfkit.demo.models import Author, Story, Tag
from perfkit.demo.settings import caches_from_url

REPO_ROOT = Path(__file__).resolve().parents[2]


def snapshot() -> list[tuple]:
    return [
        (
            s.slug,
            s.title,
            s.body,
            s.author.name,
            s.published_at,
            tuple(t.slug for t in s.tags.all()),
        )
        for s in Story.objects.select_related("author").prefetch_related("tags").order_by("slug")
    ]


@pytest.mark.parametrize(("n", "authors"), [(0, 1), (1, 1), (4, 1), (10, 2), (50, 10), (52, 10)])
def test_populate_counts(db: None, n: int, authors: int) -> None:
    populate(n)
    assert Story.objects.count() == n
    assert Author.objects.count() == authors
    assert Tag.objects.count() == 6
    assert Story.tags.through.objects.count() == 2 * n
    tag_counts = Story.objects.annotate(n_tags=Count("tags")).values_list("n_tags", flat=True)
    assert set(tag_counts) <= {2}


def test_populate_word_counts_match_bodies(db: None) -> None:
    populate(20)
    for story in Story.objects.all():
        assert story.word_count == len(story.body.split()) > 0


def test_populate_is_deterministic_and_replaces_rows(db: None) -> None:
    populate(30, seed=7)
    first = snapshot()
    populate(5, seed=1)
    assert Story.objects.count() == 5
    populate(30, seed=7)
    assert snapshot() == first
    populate(30, seed=8)
    assert snapshot() != first


def test_populate_rejects_negative(db: None) -> None:
    with pytest.raises(ValueError, match="0 or more"):
        populate(-1)


def test_demo_seed_command(db: None) -> None:
    out = io.StringIO()
    call_command("demo_seed", "15", "--seed", "4", stdout=out)
    assert out.getvalue().strip() == "Created 15 stories by 3 authors with 6 tags (seed 4)."
    assert Story.objects.count() == 15


def test_demo_seed_command_rejects_negative(db: None) -> None:
    with pytest.raises(CommandError, match="0 or more"):
        call_command("demo_seed", "-5")


def test_story_str_and_url(db: None) -> None:
    populate(1)
    story = Story.objects.select_related("author").get()
    tag = Tag.objects.first()
    assert str(story) == story.title
    assert str(story.author) == story.author.name
    assert str(tag) == tag.name
    assert story.get_absolute_url() == f"/stories/{story.pk}/"


@pytest.mark.parametrize("name", ["demo/site.css", "demo/app.js", "demo/logo.png"])
def test_static_files_exist(name: str) -> None:
    found = finders.find(name)
    assert found is not None
    assert Path(found).stat().st_size > 0


def test_logo_is_a_png() -> None:
    data = Path(finders.find("demo/logo.png")).read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert data[12:16] == b"IHDR"
    assert data.endswith(b"IEND\xaeB`\x82")


def test_caches_from_url() -> None:
    locmem = "django.core.cache.backends.locmem.LocMemCache"
    assert caches_from_url("")["default"]["BACKEND"] == locmem
    assert caches_from_url("locmem")["default"]["BACKEND"] == locmem
    assert caches_from_url("redis://127.0.0.1:6379/2")["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/2",
    }
    assert caches_from_url("memcached://127.0.0.1:11211")["default"] == {
        "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
        "LOCATION": "127.0.0.1:11211",
    }
    with pytest.raises(ImproperlyConfigured, match="PERFKIT_DEMO_CACHE"):
        caches_from_url("filesystem:///tmp/cache")


def demo_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PERFKIT_"))}
    env["PYTHONPATH"] = str(REPO_ROOT)
    env["PERFKIT_DEMO_DB"] = str(tmp_path / "demo.sqlite3")
    env["PERFKIT_STORE"] = f"sqlite:///{tmp_path / 'perfkit.sqlite3'}"
    env.update(extra)
    return env


def test_python_m_perfkit_demo_check(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "perfkit.demo", "check"],
        cwd=tmp_path,
        env=demo_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(("value", "expected"), [(None, "True"), ("1", "True"), ("0", "False")])
def test_debug_follows_environment(tmp_path: Path, value: str | None, expected: str) -> None:
    extra = {} if value is None else {"PERFKIT_DEMO_DEBUG": value}
    result = subprocess.run(
        [sys.executable, "-c", "import perfkit.demo.settings as s; print(s.DEBUG)"],
        cwd=tmp_path,
        env=demo_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
