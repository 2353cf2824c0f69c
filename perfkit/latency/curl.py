"""Curl-style timing with httpx: one GET over a new connection, timed from the connect."""

from __future__ import annotations

import time

import httpx

from perfkit import server_timing
from perfkit.latency.measurements import CurlRun

USER_AGENT = "perfkit-latency (httpx)"
TIMEOUT = 30.0


def fetch(url: str) -> CurlRun:
    """Fetch ``url`` once with a fresh client, so the run pays for DNS and connect like curl."""
    marks: dict[str, float] = {}

    def trace(event: str, info: dict[str, object]) -> None:
        marks.setdefault(event, time.perf_counter())

    headers = {"User-Agent": USER_AGENT}
    with (
        httpx.Client(timeout=TIMEOUT, headers=headers) as client,
        client.stream("GET", url, extensions={"trace": trace}) as response,
    ):
        response.read()
        done = time.perf_counter()
    start = marks.get("connection.connect_tcp.started", done)
    connected = max(
        marks.get("connection.start_tls.complete", 0.0),
        marks.get("connection.connect_tcp.complete", start),
    )
    first_byte = _first(marks, "receive_response_headers.complete", done)
    return CurlRun(
        status=response.status_code,
        connect_ms=(connected - start) * 1000.0,
        ttfb_ms=(first_byte - start) * 1000.0,
        total_ms=(done - start) * 1000.0,
        bytes=response.num_bytes_downloaded,
        content_encoding=response.headers.get("content-encoding", ""),
        server_timing=server_timing.parse(response.headers.get("server-timing", "")),
    )


def _first(marks: dict[str, float], suffix: str, default: float) -> float:
    """The mark for an HTTP/1.1 or HTTP/2 event (``http11.…`` / ``http2.…``)."""
    return min((t for name, t in marks.items() if name.endswith(suffix)), default=default)
