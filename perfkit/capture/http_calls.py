"""The outbound HTTP recorder: every call through ``http.client`` (requests, urllib3, urllib)
and through httpx's transports when httpx is installed.

The methods are wrapped once, at install; per call, a wrapper asks the ContextVar for the
current Recording and does nothing more when there is none. What is kept of a call is its
method, host, a path pattern (:func:`perfkit.fingerprint.path_pattern`: no query string, no
value), its status and duration and the line of code that made it: never the URL, a header
or a body.
"""

from __future__ import annotations

import functools
import http.client
import importlib.util
import sys
import time
from collections.abc import Callable
from typing import Any

from perfkit import conf, health
from perfkit.capture.callsite import CallsiteFinder
from perfkit.fingerprint import path_pattern
from perfkit.recording import HttpEvent, Recording, current_recording

#: The call an ``http.client`` connection has sent and not yet had an answer to.
_PENDING = "_perfkit_call"
_DEFAULT_PORTS = {"http": 80, "https": 443}


@functools.cache
def _finder(ignore: tuple[str, ...]) -> CallsiteFinder:
    return CallsiteFinder(ignore)


def _callsite() -> str:
    """The line of project code that made the call, if call sites are on.

    The walk starts at the caller's caller (perfkit's wrapper) and goes outward past
    perfkit, the standard library and installed clients (requests, urllib3, httpx).
    """
    config = conf.get_config()
    if not config["CALLSITES"]:
        return ""
    return _finder(tuple(config["CALLSITE_IGNORE"])).find(sys._getframe(2))


def _host(host: str, port: int | None, scheme: str) -> str:
    """``api.example.com``, with ``:port`` when it is not the scheme's default; an IPv6
    address in brackets (``[::1]:8080``)."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS.get(scheme):
        return host
    return f"{host}:{port}"


class _Call:
    """A call in flight: what is kept of it, and when it was sent."""

    __slots__ = ("callsite", "host", "method", "pattern", "queries", "recording", "started")

    def __init__(
        self, recording: Recording, method: str, host: str, target: str, callsite: str
    ) -> None:
        self.recording = recording
        self.method = method.upper()
        self.host = host
        self.pattern = path_pattern(target)
        self.callsite = callsite
        self.queries = len(recording.queries)
        self.started = time.perf_counter()

    def finish(self, status: int | None) -> None:
        duration = (time.perf_counter() - self.started) * 1000.0
        self.recording.http_calls.append(
            HttpEvent(
                self.method, self.host, self.pattern, status, duration, self.callsite, self.queries
            )
        )


def _begin(connection: http.client.HTTPConnection, method: str, target: str) -> None:
    recording = current_recording.get()
    if recording is None:
        return
    try:
        scheme = "https" if isinstance(connection, http.client.HTTPSConnection) else "http"
        # Through a proxy's tunnel, the host is the one tunnelled to, not the proxy.
        tunnelled = getattr(connection, "_tunnel_host", None)
        if tunnelled:
            host = _host(str(tunnelled), getattr(connection, "_tunnel_port", None), scheme)
        elif "://" in target:  # a plain request through a proxy names its host in the URL
            host = target.split("://", 1)[1].split("/", 1)[0].rpartition("@")[2]
        else:
            host = _host(str(connection.host), connection.port, scheme)
        call = _Call(recording, method, host, target, _callsite())
        setattr(connection, _PENDING, call)
    except Exception:
        health.count_error("recording an outbound HTTP call")


def _end(connection: http.client.HTTPConnection, status: int | None) -> None:
    call = connection.__dict__.pop(_PENDING, None)
    if call is None:
        return
    try:
        call.finish(status)
    except Exception:
        health.count_error("recording an outbound HTTP call")


def _wrap_putrequest(real: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(real)
    def putrequest(
        self: http.client.HTTPConnection, method: str, url: str, *a: Any, **k: Any
    ) -> Any:
        self.__dict__.pop(_PENDING, None)  # a request sent again on a reused connection
        _begin(self, method, url)
        return real(self, method, url, *a, **k)

    return putrequest


def _wrap_endheaders(real: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(real)
    def endheaders(self: http.client.HTTPConnection, *a: Any, **k: Any) -> Any:
        try:
            return real(self, *a, **k)
        except BaseException:
            _end(self, None)  # refused, unresolvable, timed out: no answer will come
            raise

    return endheaders


def _wrap_getresponse(real: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(real)
    def getresponse(self: http.client.HTTPConnection, *a: Any, **k: Any) -> Any:
        try:
            response = real(self, *a, **k)
        except BaseException:
            _end(self, None)
            raise
        _end(self, getattr(response, "status", None))
        return response

    return getresponse


def _record_httpx(request: Any) -> _Call | None:
    recording = current_recording.get()
    if recording is None:
        return None
    try:
        url = request.url
        host = _host(str(url.host), url.port, str(url.scheme))
        # The path as sent (``url.path`` is decoded: a value's ``%2F`` would split it).
        target = bytes(url.raw_path).decode("ascii", "replace")
        return _Call(recording, str(request.method), host, target, _callsite())
    except Exception:
        health.count_error("recording an outbound HTTP call")
        return None


def _finish_httpx(call: _Call | None, response: Any) -> None:
    if call is None:
        return
    try:
        call.finish(None if response is None else int(response.status_code))
    except Exception:
        health.count_error("recording an outbound HTTP call")


def _wrap_httpx(real: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(real)
    def handle_request(self: Any, request: Any) -> Any:
        if current_recording.get() is None:
            return real(self, request)
        call = _record_httpx(request)
        response = None
        try:
            response = real(self, request)
        finally:
            _finish_httpx(call, response)
        return response

    return handle_request


def _wrap_httpx_async(real: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(real)
    async def handle_async_request(self: Any, request: Any) -> Any:
        if current_recording.get() is None:
            return await real(self, request)
        call = _record_httpx(request)
        response = None
        try:
            response = await real(self, request)
        finally:
            _finish_httpx(call, response)
        return response

    return handle_async_request


def _patch(
    owner: type, name: str, wrap: Callable[[Callable[..., Any]], Callable[..., Any]]
) -> None:
    real = owner.__dict__[name]
    if getattr(real, "_perfkit_wrapped", False):
        return
    wrapped = wrap(real)
    wrapped._perfkit_wrapped = True  # type: ignore[attr-defined]  # perfkit's mark on the wrapper
    setattr(owner, name, wrapped)


def install() -> None:
    """Wrap ``http.client`` and, when httpx is importable, its transports: once per process.

    A failure here (an httpx too old or broken to import) is counted, never raised: the site
    starts, and records what it can.
    """
    try:
        connection = http.client.HTTPConnection
        _patch(connection, "putrequest", _wrap_putrequest)
        _patch(connection, "endheaders", _wrap_endheaders)
        _patch(connection, "getresponse", _wrap_getresponse)
        if importlib.util.find_spec("httpx") is None:
            return
        import httpx

        _patch(httpx.HTTPTransport, "handle_request", _wrap_httpx)
        _patch(httpx.AsyncHTTPTransport, "handle_async_request", _wrap_httpx_async)
    except Exception:
        health.count_error("installing the outbound HTTP recorder")
