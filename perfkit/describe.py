"""Facts about a request and its response that go into its Recording."""

from __future__ import annotations

import re
import zlib
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.urls import Resolver404, resolve
from django.utils.functional import LazyObject, empty

from perfkit import health
from perfkit.recording import Recording

UNRESOLVED = "<unresolved>"
#: Methods stored as sent. A client may send any token as the method: that is its text, not
#: a method, and is stored as OTHER.
METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"))
OTHER_METHOD = "OTHER"
#: A masked CSRF token as Django writes it into a page (64 letters and digits), new on every
#: request: left in, no two bodies of a page with a form would ever be equal.
_CSRF_TOKEN = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
#: A Content-Security-Policy nonce, new on every request as well.
_NONCE = re.compile(rb'nonce="[^"]*"')


def describe_view(recording: Recording, request: HttpRequest) -> None:
    """View identity: namespaced URL name, route pattern and dotted path of the view."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        match = _resolve(request)
    if match is None:
        recording.view = UNRESOLVED
        return
    recording.url_name = match.view_name if match.url_name else None
    recording.route = match.route
    recording.view_path = match._func_path
    recording.view = recording.url_name or match._func_path


def _resolve(request: HttpRequest) -> Any:
    """The route of a request that a middleware answered before Django resolved it (a
    maintenance mode's 503, a login wall's redirect): None where no route matches."""
    try:
        return resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return None
    except Exception:  # a URLconf that fails to load: the request is still recorded
        health.count_error("resolving an unresolved request's route")
        return None


def describe_response(recording: Recording, request: HttpRequest, response: Any) -> None:
    """Method, status, size, caching headers, page-cache service and body hash of a response."""
    if recording.method not in METHODS:
        recording.method = OTHER_METHOD
    status = recording.status = response.status_code
    recording.authenticated = is_authenticated(request)
    # ResponseHeaders keeps lower-cased names in ``_store``: three dict lookups, where three
    # has_header() calls cost a microsecond on every request.
    names = response.headers._store
    recording.has_cache_control = "cache-control" in names
    recording.has_etag = "etag" in names
    recording.has_last_modified = "last-modified" in names
    method = request.method
    recording.page_cache_hit = (
        method in _CACHEABLE and request.__dict__.get("_cache_update_cache") is False
    )
    if isinstance(response, HttpResponseBase) and not response.streaming:
        # Django's non-streaming responses are HttpResponses: HttpResponseBase has no content
        # (no typing.cast: a call on every request).
        content = response.content  # type: ignore[attr-defined]
        recording.response_bytes = len(content)
        if method == "GET" and status == 200:
            recording.body_hash = body_hash(_comparable(content, request))


_CACHEABLE = frozenset(("GET", "HEAD"))


def _comparable(content: bytes, request: HttpRequest) -> bytes:
    """The body with what changes on every request masked: CSRF tokens and CSP nonces.

    A CSRF token is masked only when the view asked for one (Django then flags the cookie
    for update; the flag is reset, not removed, once the cookie is set), and a nonce only
    when the body has one: other pages are hashed as they are.
    """
    if "CSRF_COOKIE_NEEDS_UPDATE" in request.META:
        content = _CSRF_TOKEN.sub(b"<csrf>", content)
    if b'nonce="' in content:
        content = _NONCE.sub(b'nonce=""', content)
    return content


def is_authenticated(request: HttpRequest) -> bool:
    """Whether the user is logged in, without loading the user (or session) if the view did not."""
    user = request.__dict__.get("user")
    if user is None:
        return False
    # LazyObject answers every attribute through a Python __getattribute__: read past it.
    wrapped = object.__getattribute__(user, "_wrapped") if isinstance(user, LazyObject) else user
    if wrapped is empty:
        # Instance attributes, read from their dicts: a missing one raises no AttributeError.
        session = request.__dict__.get("session")
        loaded = getattr(session, "__dict__", {}).get("_session_cache")
        return isinstance(loaded, dict) and "_auth_user_id" in loaded
    return bool(getattr(wrapped, "is_authenticated", False))


def body_hash(content: bytes) -> str:
    """16 hex digits telling bodies apart: CRC-32 and length (CRC-32 runs at ~6 GB/s here).

    Spelt as the hex of 8 bytes: half the cost of formatting two numbers, on every page.
    """
    return ((zlib.crc32(content) << 32) | (len(content) & 0xFFFFFFFF)).to_bytes(8, "big").hex()
