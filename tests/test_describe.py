"""What a response tells its Recording: the body hash that finds pages worth caching."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.urls import path

FORM = engines["django"].from_string(
    '<script nonce="{{ nonce }}">go()</script>'
    '<form method="post">{% csrf_token %}<input name="q"></form>{{ text }}'
)


def form(request):
    nonce = get_token(request)[:22]  # a fresh value per request, as a CSP nonce is
    text = request.GET.get("v", "same")
    return HttpResponse(FORM.render({"nonce": nonce, "text": text}, request))


def token_in_text(request):
    """A 64-character value that is page content, not a token the view asked for."""
    return HttpResponse("id: " + request.GET.get("v", "a" * 64))


urlpatterns = [path("form/", form), path("text/", token_in_text)]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def _hashes(client, recordings, *urls: str) -> list[str | None]:
    for url in urls:
        assert client.get(url).status_code == 200
    return [r.body_hash for r in recordings]


def test_a_page_with_a_csrf_token_and_a_nonce_hashes_the_same_every_time(
    client, recordings
) -> None:
    first, second, other = _hashes(client, recordings, "/form/", "/form/", "/form/?v=else")
    assert first == second
    assert other != first  # the page's own content still counts


def test_page_content_that_looks_like_a_token_still_counts(client, recordings) -> None:
    """Without a token asked for, a 64-character run is the page's text and stays in."""
    one, two = _hashes(client, recordings, "/text/", f"/text/?v={'b' * 64}")
    assert one != two
