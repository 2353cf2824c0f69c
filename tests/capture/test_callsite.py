"""Call sites of an async view's queries, whichever way the server runs the view."""

from __future__ import annotations

import inspect

import pytest
from django.test import AsyncClient

from perfkit.demo import views
from perfkit.demo.data import populate
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
