"""Recording a streaming response until its last chunk: what its iterator queries counts too.

A ``StreamingHttpResponse`` runs most of its view while the server iterates it, after the
middleware has returned: a CSV export that looks up each row's author does its queries
then. ``follow`` wraps the response's iterator so that every chunk is produced with the
request's Recording current, and closes the Recording when the stream ends, or when the
response is closed unread.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, cast

from django.http import StreamingHttpResponse

from perfkit import health
from perfkit.recording import Recording, current_recording


class _Finish:
    """Closes the Recording once, with the CPU time of the view and of every chunk."""

    def __init__(self, close: Callable[[float], None], cpu_ms: float) -> None:
        self.close = close
        self.cpu_ms = cpu_ms
        self.done = False

    def __call__(self) -> None:
        if not self.done:
            self.done = True
            self.close(self.cpu_ms)


def follow(
    recording: Recording,
    response: StreamingHttpResponse,
    close: Callable[[float], None],
    cpu_ms: float,
) -> None:
    """Record ``response``'s chunks into ``recording``; ``close(cpu_ms)`` once at the end."""
    finish = _Finish(close, cpu_ms)
    content = response.streaming_content
    # is_async tells which of the two kinds of iterator the property returns.
    if response.is_async:
        response.streaming_content = _achunks(
            recording, cast(AsyncIterator[bytes], content), finish
        )
    else:
        response.streaming_content = _chunks(recording, cast(Iterator[bytes], content), finish)
    # A response closed before it was read (a HEAD request, a client gone) ends here.
    response._resource_closers.append(finish)  # type: ignore[attr-defined]  # private, not in the stubs


def _chunks(recording: Recording, content: Iterator[bytes], finish: _Finish) -> Iterator[bytes]:
    iterator = iter(content)
    try:
        while True:
            token = current_recording.set(recording)
            started = time.thread_time()
            try:
                chunk = next(iterator)
            except StopIteration:
                return
            finally:
                finish.cpu_ms += (time.thread_time() - started) * 1000.0
                current_recording.reset(token)
            _count(recording, chunk)
            yield chunk
    finally:
        finish()


async def _achunks(
    recording: Recording, content: AsyncIterator[bytes], finish: _Finish
) -> AsyncIterator[bytes]:
    iterator = aiter(content)
    try:
        while True:
            token = current_recording.set(recording)
            try:
                chunk = await anext(iterator)
            except StopAsyncIteration:
                return
            finally:
                current_recording.reset(token)
            _count(recording, chunk)
            yield chunk
    finally:
        finish()


def _count(recording: Recording, chunk: Any) -> None:
    try:
        recording.response_bytes = (recording.response_bytes or 0) + len(chunk)
    except Exception:
        health.count_error("counting a streamed chunk")
