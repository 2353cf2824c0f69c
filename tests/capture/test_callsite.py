"""Call sites: the project's own line, whichever way the server runs the view and whatever
packages sit between the query and the project, or around the view."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.test import AsyncClient, override_settings

import perfkit.demo
from perfkit.capture.callsite import NO_APPLICATION_FRAME
from perfkit.demo import views
from perfkit.demo.data import populate
from perfkit.demo.models import Story
from perfkit.recording import Recording
from tests import urls_callsite
from tests.conftest import async_get


def _loop_line() -> str:
    """``path:line in api_stories_async`` of the view's ``async for`` over the queryset."""
    lines, first = inspect.getsourcelines(views.api_stories_async)
    offset = next(i for i, line in enumerate(lines) if "async for" in line)
    return f"perfkit/demo/views.py:{first + offset} in api_stories_async"


pytestmark = pytest.mark.django_db(transaction=True)


def test_async_view_served_through_wsgi_names_the_view(client, recordings) -> None:
    """The middleware runs synchronously and Django runs the view on a loop of its own."""
    populate(4)
    assert client.get("/api/stories/async/").status_code == 200
    (recording,) = recordings
    assert [q.callsite for q in recording.queries] == [_loop_line()] * 2


def test_async_view_served_through_asgi_names_the_view(recordings) -> None:
    populate(4)
    assert async_get(AsyncClient(), "/api/stories/async/").status_code == 200
    (recording,) = recordings
    assert [q.callsite for q in recording.queries] == [_loop_line()] * 2


def _line_of(function, text: str, path: str) -> str:
    lines, first = inspect.getsourcelines(function)
    offset = next(i for i, line in enumerate(lines) if text in line)
    return f"{path}:{first + offset} in {function.__name__}"


WRAPPED = {
    "ROOT_URLCONF": "tests.urls_callsite",
    "MIDDLEWARE": [*settings.MIDDLEWARE, "wrapperlib.middleware.WrappingMiddleware"],
}


def _groups(recording) -> list:
    from perfkit.analysis.n_plus_one import groups

    return groups(Recording.from_dict(recording.to_dict()), {})


@pytest.fixture
def wrapped():
    with override_settings(**WRAPPED):
        yield


def test_a_per_row_group_is_named_by_its_loop_not_its_first_execution(
    client, recordings, wrapped
) -> None:
    """The statement first ran once elsewhere in the view; the 6 per-row runs name the loop."""
    populate(6)
    assert client.get("/first-elsewhere/").status_code == 200
    (recording,) = recordings
    loop = _line_of(urls_callsite.first_lookup_elsewhere, "per row", "tests/urls_callsite.py")
    (group,) = _groups(recording)
    assert (group.callsite, group.count, group.follows_table) == (loop, 7, "demo_story")


def test_the_project_line_is_named_past_a_package_helper(client, recordings, wrapped) -> None:
    populate(6)
    assert client.get("/through-package/").status_code == 200
    (recording,) = recordings
    project = _line_of(urls_callsite.through_a_package, "via lib", "tests/urls_callsite.py")
    # Before: the package's per-row line; the query list is iterated in the package too.
    assert {q.callsite for q in recording.queries} == {project}


def test_a_package_view_names_the_package_never_the_wrapping_middleware(
    client, recordings, wrapped
) -> None:
    populate(6)
    assert client.get("/package-view/").status_code == 200
    (recording,) = recordings
    helpers = sys.modules["wrapperlib.helpers"]
    listing = _line_of(helpers.names, "for row", "wrapperlib/helpers.py")
    per_row = _line_of(helpers.names, "# per row", "wrapperlib/helpers.py")
    assert [q.callsite for q in recording.queries] == [listing] + [per_row] * 6


def test_a_package_view_rendering_a_project_template_names_the_template_alone(
    client, recordings, wrapped
) -> None:
    populate(6)
    assert client.get("/package-template/").status_code == 200
    (recording,) = recordings
    per_row = {q.callsite for q in recording.queries if "demo_author" in q.sql}
    lines = (Path(perfkit.demo.__file__).parent / "templates/demo/story_list_slow.html").read_text()
    line = next(i for i, text in enumerate(lines.splitlines(), 1) if "author" in text)
    assert per_row == {f"perfkit/demo/templates/demo/story_list_slow.html:{line}"}


@pytest.mark.parametrize(
    "wrapper",
    ["wrapperlib.middleware.WrappingMiddleware", "tests.urls_callsite.ProjectWrappingMiddleware"],
)
def test_a_django_view_inside_a_wrapping_middleware_has_no_application_frame(
    client, recordings, wrapper: str
) -> None:
    """Outward of Django's view call every frame is a middleware: never the query's line."""
    with override_settings(
        ROOT_URLCONF="tests.urls_callsite", MIDDLEWARE=[*settings.MIDDLEWARE, wrapper]
    ):
        _shortcut_queries(client, recordings)


def _shortcut_queries(client, recordings) -> None:
    populate(1)
    story = Story.objects.get()
    kind = ContentType.objects.get_for_model(Story)
    ContentType.objects.clear_cache()
    response = client.get(f"/r/{kind.pk}/{story.pk}/")
    assert response.status_code == 302
    (recording,) = recordings
    assert recording.queries
    assert {q.callsite for q in recording.queries} == {NO_APPLICATION_FRAME}
