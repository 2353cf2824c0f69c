"""URL discovery on the demo's URLconf: which routes become targets, filled how, skipped why."""

from __future__ import annotations

import django
import pytest
from django.contrib.auth.models import User
from django.urls import resolve

from perfkit.bench import discovery
from perfkit.demo.data import populate
from perfkit.demo.models import Author, Story

pytestmark = pytest.mark.django_db

PUBLIC = {
    "demo:front": "/",
    "demo:front_cached": "/cached/",
    "demo:story_list": "/stories/",
    "demo:story_list_slow": "/stories/slow/",
    "demo:story_add": "/stories/add/",
    "demo:api_stories": "/api/stories/",
    "demo:api_stories_async": "/api/stories/async/",
    "demo:tag_cloud": "/tags/",
    "demo:ping": "/ping/",
    "admin:index": "/admin/",
    "admin:login": "/admin/login/",
    "admin:password_change": "/admin/password_change/",
    "admin:password_change_done": "/admin/password_change/done/",
    "admin:autocomplete": "/admin/autocomplete/",
    "admin:jsi18n": "/admin/jsi18n/",
    "admin:app_list": "/admin/auth/",
}
PER_MODEL = ("changelist", "add", "history", "delete", "change")


@pytest.fixture
def found() -> discovery.Discovered:
    populate(6)
    User.objects.create(username="solo")
    return discovery.discover()


def test_every_get_route_is_a_target_with_its_parameters_filled(found) -> None:
    paths = {t.name: t.path for t in found.targets}
    expected = set(PUBLIC) | {"demo:story_detail", "admin:auth_user_password_change"}
    expected |= {"admin:auth_group_changelist", "admin:auth_group_add"}  # no Group rows to edit
    expected |= {
        f"admin:{m}_{v}"
        for m in ("auth_user", "demo_author", "demo_tag", "demo_story")
        for v in PER_MODEL
    }
    expected |= {
        f"/admin/{m}/<path:object_id>/"
        for m in ("auth/user", "demo/author", "demo/tag", "demo/story")
    }
    assert set(paths) == expected
    assert all(paths[name] == path for name, path in PUBLIC.items())
    assert all(t.method == "GET" and t.user is None for t in found.targets)


def test_the_detail_route_gets_a_real_story_and_resolves_to_its_view(found) -> None:
    path = next(t.path for t in found.targets if t.name == "demo:story_detail")
    match = resolve(path)
    assert match.view_name == "demo:story_detail"
    assert Story.objects.filter(pk=match.kwargs["pk"]).exists()


def test_admin_object_routes_get_the_object_with_the_most_related_rows(found) -> None:
    busiest = max(Author.objects.all(), key=lambda a: (a.stories.count(), -a.pk))
    paths = {t.name: t.path for t in found.targets}
    assert paths["admin:demo_author_change"] == f"/admin/demo/author/{busiest.pk}/change/"
    user = User.objects.get(username="solo")
    assert paths["admin:auth_user_password_change"] == f"/admin/auth/user/{user.pk}/password/"


#: The admin's shortcut route types its content type id ``int`` before Django 5.1.
SHORTCUT_CONVERTER = "int" if django.VERSION < (5, 1) else "path"


def test_routes_it_cannot_fill_are_skipped_with_a_reason(found) -> None:
    reasons = {s["url"]: s["reason"] for s in found.skipped}
    assert reasons == {
        f"/admin/r/<{SHORTCUT_CONVERTER}:content_type_id>/<path:object_id>/": (
            "no data for <object_id>: no model or unique field by that name"
        ),
        "/admin/auth/group/<path:object_id>/history/": "no Group rows to fill <object_id>",
        "/admin/auth/group/<path:object_id>/delete/": "no Group rows to fill <object_id>",
        "/admin/auth/group/<path:object_id>/change/": "no Group rows to fill <object_id>",
        "/admin/auth/group/<path:object_id>/": "no Group rows to fill <object_id>",
        "/admin/(?P<url>.*)": "no data for <url>: no model or unique field by that name",
        # GET logged the persona out before Django 5.0: a switch, left to scenarios
        "/admin/logout/": discovery.SWITCH_REASON,
    }


@pytest.mark.parametrize(
    ("route", "switch"),
    [
        ("/maintenance-mode/on/", True),
        ("/maintenance-mode/off/", True),
        ("/accounts/logout/", True),
        ("/accounts/sign-out", True),
        ("/features/<slug>/toggle/", True),
        ("/online/", False),
        ("/books/<slug>/", False),
        ("/logouts/history/", False),
    ],
)
def test_routes_that_switch_the_site_are_told_by_their_last_segment(route, switch) -> None:
    assert bool(discovery.SWITCHES.search(route)) is switch
