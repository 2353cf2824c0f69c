"""PerfkitMiddleware: opens a Recording per request, closes it, hands it on."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from time import perf_counter, thread_time, time
from typing import Any, TypeGuard

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.core.exceptions import ImproperlyConfigured
from django.http import FileResponse, HttpRequest, HttpResponseBase, StreamingHttpResponse

from perfkit import conf, describe, health, profiling, server_timing, streaming
from perfkit.capture import cache, db, eager_loads, http_calls
from perfkit.capture.callsite import current_task
from perfkit.errors import SettingsError
from perfkit.recording import Recording, current_labels, current_recording, new_id
from perfkit.signals import recording_finished
from perfkit.store import writer
from perfkit.store.rows import pending_row


class PerfkitMiddleware:
    """Records every request: view, timing, queries, cache calls; never breaks a request."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)
        try:
            config = conf.get_config()
        except SettingsError as error:
            raise ImproperlyConfigured(str(error)) from None
        db.install()
        cache.install()
        http_calls.install()
        if config["EAGER_LOADS"]:  # off: the ORM stays as Django made it
            eager_loads.install()

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        get_response = profiling.wrap(self.get_response, request)
        recording = _open(request)
        if recording is None:
            return get_response(request)
        token = current_recording.set(recording)
        started, cpu_started = perf_counter(), thread_time()
        try:
            response = get_response(request)
        finally:
            current_recording.reset(token)
        _finish(recording, request, response, started, cpu_started)
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        get_response = await profiling.awrap(self.get_response, request)
        recording = _open(request)
        if recording is None:
            return await get_response(request)
        token = current_recording.set(recording)
        task_token = current_task.set(asyncio.current_task())
        started, cpu_started = perf_counter(), thread_time()
        try:
            response = await get_response(request)
        finally:
            current_task.reset(task_token)
            current_recording.reset(token)
        _finish(recording, request, response, started, cpu_started)
        return response


def _finish(
    recording: Recording,
    request: HttpRequest,
    response: HttpResponseBase,
    started: float,
    cpu_started: float,
) -> None:
    """Close the recording now, or once a streamed body has been sent."""
    cpu_ms = (thread_time() - cpu_started) * 1000.0
    if _streamed(response):
        _follow(recording, request, response, started, cpu_ms)
    else:
        _close(recording, request, response, started, cpu_ms)


def _streamed(response: HttpResponseBase) -> TypeGuard[StreamingHttpResponse]:
    return bool(getattr(response, "streaming", False))  # never raise here: the request goes on


def _open(request: HttpRequest) -> Recording | None:
    try:
        config = conf.get_config()
        if not config["ENABLED"] or request.path.startswith(config["IGNORE_PATHS"]):
            return None
        rate = config["SAMPLE_RATE"]
        if rate < 1 and random.random() >= rate:
            return None
        recording = Recording(new_id(), time(), request.method or "")
        labels = current_labels.get()
        if labels:
            recording.labels = dict(labels)
        request.perfkit_recording = recording  # type: ignore[attr-defined]  # read by the panel
        return recording
    except Exception:
        health.count_error("opening a recording")
        return None


def _follow(
    recording: Recording,
    request: HttpRequest,
    response: StreamingHttpResponse,
    started: float,
    cpu_ms: float,
) -> None:
    """Close a streamed response's Recording when its stream has ended (a file's: now)."""
    if isinstance(response, FileResponse):
        _close(recording, request, response, started, cpu_ms)
        return
    try:
        streaming.follow(
            recording,
            response,
            lambda cpu: _close(recording, request, response, started, cpu, streamed=True),
            cpu_ms,
        )
    except Exception:
        health.count_error("following a streamed response")
        _close(recording, request, response, started, cpu_ms)


def _close(
    recording: Recording,
    request: HttpRequest,
    response: HttpResponseBase,
    started: float,
    cpu_ms: float,
    *,
    streamed: bool = False,
) -> None:
    try:
        total_ms = (perf_counter() - started) * 1000.0
        recording.wall_ms = total_ms
        recording.cpu_ms = cpu_ms
        describe.describe_view(recording, request)
        describe.describe_response(recording, request, response)
        config = conf.get_config()
        # A streamed response's headers went out with its first chunk.
        if not streamed and server_timing.allowed(request, config["SERVER_TIMING"]):
            _set_server_timing(response, server_timing.header(recording, total_ms))
        if config["PERSIST"]:  # False under perfkit's pytest plugin, unless STORE_IN_TESTS
            writer.submit(
                pending_row(recording),
                config["STORE"],
                queue_size=config["QUEUE_SIZE"],
                batch_size=config["BATCH_SIZE"],
                child=config["WRITER_PROCESS"],
            )
        if recording_finished.receivers:
            recording_finished.send(sender=PerfkitMiddleware, recording=recording)
    except Exception:
        health.count_error("closing a recording")


def _set_server_timing(response: HttpResponseBase, value: str) -> None:
    """``response["Server-Timing"] = value``, less Django's check of the value's characters.

    The header is made of numbers, fixed words and a hex id: ASCII, no line break, so
    ``ResponseHeaders`` would store it as it is; it keeps lower-cased names in ``_store``.
    """
    try:
        response.headers._store["server-timing"] = ("Server-Timing", value)
    except AttributeError:  # a response class of another shape: the public way
        response["Server-Timing"] = value
