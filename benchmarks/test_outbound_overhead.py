"""What recording outbound HTTP calls costs, in paired rounds against a baseline of the same run.

- A view that makes no outbound call, served through PerfkitMiddleware with the
  ``http.client`` / httpx wrappers installed, against the same view with them taken off: the
  wrappers must cost such a view nothing (a ratio of 1.00 within the noise).
- An ``http.client`` call to a local server, made inside a Recording (method, host, path
  pattern, status, time and call site recorded), against the same call made outside one.

Each round times a burst of one side, then of the other; the ratio is the median of the rounds'.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks.paired import paired
from perfkit.capture import http_calls
from perfkit.recording import Recording, current_recording, new_id
from perfkit.store import writer

#: The methods the capture wraps on ``http.client.HTTPConnection``.
WRAPPED = ("putrequest", "endheaders", "getresponse")


def _capture(on: bool) -> None:
    """Install the outbound-call wrappers, or put ``http.client``'s own methods back."""
    if on:
        http_calls.install()
        return
    for name in WRAPPED:
        method = getattr(http.client.HTTPConnection, name)
        setattr(http.client.HTTPConnection, name, getattr(method, "__wrapped__", method))


def test_a_view_without_outbound_calls_pays_nothing_for_the_capture(benchmark, recorded) -> None:
    benchmark.group = "outbound"
    benchmark.name = "outbound capture off / on: no-call view (/ping/)"
    per = 50

    def prepare(on: bool) -> None:
        assert writer.flush(timeout=60)
        _capture(on)

    def burst() -> None:
        for _ in range(per):
            recorded("/ping/")

    recorded("/ping/")
    try:
        paired(benchmark, burst, burst, rounds=200, per=per, prepare=prepare)
    finally:
        _capture(True)
    assert writer.stats()["dropped"] == 0


class _Ok(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    #: Headers and body go out in two writes: without this, Nagle and delayed ACKs add 40 ms.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def local_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_recording_an_outbound_call(benchmark, local_api: str) -> None:
    benchmark.group = "outbound"
    benchmark.name = "outbound call: unrecorded / recorded (keep-alive GET)"
    http_calls.install()
    connection = http.client.HTTPConnection(local_api, timeout=10)
    per = 20
    recording = Recording(new_id(), 0.0, "GET")

    def calls() -> None:
        for user in range(per):
            connection.request("GET", f"/users/{user}?page=2")
            connection.getresponse().read()

    def recorded_calls() -> None:
        token = current_recording.set(recording)
        try:
            calls()
        finally:
            current_recording.reset(token)
        recording.http_calls.clear()

    calls()
    try:
        paired(benchmark, calls, recorded_calls, rounds=100, per=per)
    finally:
        connection.close()
