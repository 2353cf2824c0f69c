"""On-demand pyinstrument profiles: for staff, INTERNAL_IPS or a signed token; no one else."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Awaitable, Callable
from importlib import import_module
from pathlib import Path
from typing import Any, Literal

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponseBase
from django.utils.crypto import constant_time_compare

from perfkit import conf, health
from perfkit.recording import current_recording

PARAM = "perfkit-profile"
HEADER = "HTTP_X_PERFKIT_PROFILE"
#: The response header that names an allowed request's profile file.
RESPONSE_HEADER = "X-Perfkit-Profile"
SALT = "perfkit.profiling"
_NAME = re.compile(r"^[\w.-]+\.html$")
_UNSAFE = re.compile(r"[^A-Za-z0-9]+")

Handler = Callable[[HttpRequest], Any]


def make_token(max_age: int) -> str:
    """A token for ``X-Perfkit-Profile: <token>``, valid for ``max_age`` seconds."""
    return signing.dumps({"until": time.time() + max_age}, salt=SALT, compress=True)


def valid_token(token: str) -> bool:
    """True for a token made by :func:`make_token` with this SECRET_KEY and not yet expired."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return False
    return isinstance(data, dict) and time.time() < float(data.get("until", 0))


def triggered(request: HttpRequest) -> bool:
    """Whether the request carries a trigger at all, told without parsing its query string."""
    meta = request.META
    return HEADER in meta or PARAM in meta.get("QUERY_STRING", "")


def requested(request: HttpRequest) -> str | None:
    """The trigger's value (``1`` or a token), from the header or the query string; else None."""
    if not triggered(request):
        return None
    value = request.META.get(HEADER)
    if value is None:
        value = request.GET.get(PARAM)
    return value.strip() if value else None


def permitted(request: HttpRequest) -> bool:
    """A trigger from a staff user, an INTERNAL_IPS address, or with a valid signed token."""
    try:
        value = requested(request)
        if value is None:
            return False
        if value != "1":
            return valid_token(value)
        return request.META.get("REMOTE_ADDR") in settings.INTERNAL_IPS or _is_staff(request)
    except Exception:
        health.count_error("deciding whether to profile a request")
        return False


def _is_staff(request: HttpRequest) -> bool:
    """The session's user, read without touching ``request.session`` (so Vary is unchanged)."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return False
    try:
        user = _session_user(import_module(settings.SESSION_ENGINE).SessionStore(key))
    except Exception:
        health.count_error("looking up the user for a profile")
        return False
    return bool(user is not None and user.is_active and user.is_staff)


def _session_user(session: Any) -> Any:
    """Django's ``get_user`` without its side effects (it may flush or cycle the session)."""
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
        load_backend,
    )

    backend_path = session.get(BACKEND_SESSION_KEY)
    digest = session.get(HASH_SESSION_KEY)
    if SESSION_KEY not in session or backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    user_id = get_user_model()._meta.pk.to_python(session[SESSION_KEY])
    user = load_backend(backend_path).get_user(user_id)
    if user is None or not digest:
        return None
    hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    return user if any(constant_time_compare(digest, h) for h in hashes) else None


def wrap(get_response: Handler, request: HttpRequest) -> Handler:
    """``get_response`` itself, or a profiling wrapper around it when the trigger is allowed."""
    if not triggered(request) or not permitted(request):
        return get_response

    def profiled(request: HttpRequest) -> Any:
        profiler = _profiler("disabled")
        if profiler is None:
            return get_response(request)
        path = _claim(request)
        profiler.start()
        try:
            response = get_response(request)
        finally:
            profiler.stop()
        return _save(profiler, path, response)

    return profiled


async def awrap(
    get_response: Callable[[HttpRequest], Awaitable[Any]], request: HttpRequest
) -> Callable[[HttpRequest], Awaitable[HttpResponseBase]]:
    """The async twin of :func:`wrap`; the staff lookup runs in a thread."""
    if not triggered(request) or not await sync_to_async(permitted)(request):
        return get_response

    async def profiled(request: HttpRequest) -> Any:
        profiler = _profiler("enabled")
        if profiler is None:
            return await get_response(request)
        path = _claim(request)
        profiler.start()
        try:
            response = await get_response(request)
        finally:
            profiler.stop()
        return await sync_to_async(_save)(profiler, path, response)

    return profiled


def _profiler(async_mode: Literal["enabled", "disabled"]) -> Any:
    try:
        from pyinstrument import Profiler

        return Profiler(async_mode=async_mode)
    except ImportError:
        health.count_error("profiling a request (pip install pyinstrument)")
        return None


def _claim(request: HttpRequest) -> Path:
    """The profile's file, named on the current Recording before the view runs."""
    slug = _UNSAFE.sub("-", request.path).strip("-")[:60] or "root"
    name = f"{time.strftime('%Y%m%d-%H%M%S')}-{slug}-{os.urandom(4).hex()}.html"
    path = profile_dir() / name
    recording = current_recording.get()
    if recording is not None:
        recording.profile = str(path)
    return path


def _save(profiler: Any, path: Path, response: Any) -> Any:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(profiler.output_html(), encoding="utf-8")
        response[RESPONSE_HEADER] = path.name
    except Exception:
        health.count_error("saving a profile")
        recording = current_recording.get()
        if recording is not None:
            recording.profile = None
    return response


def profile_dir() -> Path:
    """``PERFKIT["PROFILE_DIR"]`` as an absolute path."""
    return Path(conf.get_config()["PROFILE_DIR"]).resolve()


def find(name: str) -> Path | None:
    """The stored profile called ``name``, if the name is a plain file name and it exists."""
    if not _NAME.match(name):
        return None
    path = profile_dir() / name
    return path if path.is_file() else None
