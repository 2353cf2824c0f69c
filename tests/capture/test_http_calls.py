"""The outbound HTTP recorder, against a local API the tests start: requests, urllib, httpx."""

from __future__ import annotations

import http.client
import inspect
import sys
from collections.abc import Iterator

import pytest
from django.test import override_settings

from perfkit import health
from perfkit.capture import http_calls
from perfkit.recording import Recording, current_recording
from tests import outbound_api
from tests.conftest import async_get, free_port


@pytest.fixture
def api() -> Iterator[str]:
    with (
        outbound_api.api_server() as base,
        override_settings(
            ROOT_URLCONF="tests.outbound_api",
            OUTBOUND_API=base,
            OUTBOUND_DEAD=f"http://127.0.0.1:{free_port()}",
        ),
    ):
        yield base


def calls(recording: Recording) -> list[tuple[str, str, str, int | None]]:
    return [(h.method, h.host, h.path_pattern, h.status) for h in recording.http_calls]


def _line(function: object, marker: str) -> str:
    source, first = inspect.getsourcelines(function)  # type: ignore[arg-type]
    offset = next(i for i, line in enumerate(source) if marker in line)
    return f"tests/outbound_api.py:{first + offset}"


def test_requests_per_row_is_recorded_with_pattern_status_and_call_site(
    client, recordings, api
) -> None:
    assert client.get("/per-row-requests/").status_code == 200
    (recording,) = recordings
    host = api.removeprefix("http://")
    assert calls(recording) == [("GET", host, "/users/#", 200)] * 6
    site = _line(outbound_api.per_row_requests, "# per row")
    assert all(h.callsite.startswith(site) for h in recording.http_calls)
    assert all(h.duration_ms > 0 for h in recording.http_calls)


def test_urllib_call_keeps_neither_query_string_nor_values(client, recordings, api) -> None:
    client.get("/one-call-urllib/")
    (recording,) = recordings
    assert calls(recording) == [("GET", api.removeprefix("http://"), "/orders/#/summary", 200)]
    stored = repr(recording.to_dict())
    assert "email" not in stored and "a@b.c" not in stored and "2024" not in stored


def test_httpx_sync_client_is_recorded(client, recordings, api) -> None:
    client.get("/per-row-httpx/")
    (recording,) = recordings
    assert calls(recording) == [("GET", api.removeprefix("http://"), "/users/#/avatar", 200)] * 6
    site = _line(outbound_api.per_row_httpx, "# per row, httpx")
    assert recording.http_calls[0].callsite.startswith(site)


@pytest.mark.django_db
def test_httpx_async_client_in_an_async_view(async_client, recordings, api) -> None:
    async_get(async_client, "/async-httpx/")
    (recording,) = recordings
    assert calls(recording) == [("GET", api.removeprefix("http://"), "/missing/<uuid>", 404)]
    assert recording.http_calls[0].callsite.startswith("tests/outbound_api.py:")


def test_a_refused_connection_is_a_call_without_status(client, recordings, api) -> None:
    assert client.get("/refused/").json() == {"up": False}
    (recording,) = recordings
    ((method, _host, pattern, status),) = calls(recording)
    assert (method, pattern, status) == ("GET", "/health", None)


def test_server_timing_carries_the_outbound_tier(client, api) -> None:
    with override_settings(PERFKIT={"SERVER_TIMING": True}):
        with_calls = client.get("/per-row-requests/")["Server-Timing"]
        without = client.get("/no-calls/")["Server-Timing"]
    assert 'desc="6 calls"' in with_calls and with_calls.index("cache;") < with_calls.index("http;")
    assert "http;" not in without


def test_calls_outside_a_request_are_not_recorded(api) -> None:
    assert current_recording.get() is None
    connection = http.client.HTTPConnection(api.removeprefix("http://"))
    connection.request("GET", "/users/1")
    assert connection.getresponse().status == 200
    assert not hasattr(connection, "_perfkit_call")
    connection.close()


@pytest.mark.parametrize(("path", "calls"), [("/one-call-urllib/", 1), ("/per-row-httpx/", 6)])
def test_a_failing_recorder_never_breaks_the_call(
    client, recordings, api, monkeypatch, path: str, calls: int
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("recorder bug")

    monkeypatch.setattr(http_calls, "path_pattern", broken)
    before = health.error_counts().get("recording an outbound HTTP call", 0)
    assert client.get(path).status_code == 200
    assert health.error_counts()["recording an outbound HTTP call"] == before + calls
    assert recordings[0].http_calls == []


def test_install_twice_wraps_once() -> None:
    http_calls.install()
    wrapped = http.client.HTTPConnection.putrequest
    http_calls.install()
    assert http.client.HTTPConnection.putrequest is wrapped
    assert not getattr(wrapped.__wrapped__, "_perfkit_wrapped", False)  # type: ignore[attr-defined]


def test_an_httpx_that_cannot_be_patched_is_counted_not_raised(monkeypatch) -> None:
    import types

    monkeypatch.setitem(sys.modules, "httpx", types.ModuleType("httpx"))  # no transports
    before = health.error_counts().get("installing the outbound HTTP recorder", 0)
    http_calls.install()
    assert health.error_counts()["installing the outbound HTTP recorder"] == before + 1
    assert getattr(http.client.HTTPConnection.putrequest, "_perfkit_wrapped", False)


@pytest.mark.parametrize(
    ("host", "port", "scheme", "shown"),
    [
        ("api.example.com", 443, "https", "api.example.com"),
        ("api.example.com", 80, "http", "api.example.com"),
        ("api.example.com", 8443, "https", "api.example.com:8443"),
        ("::1", 8080, "http", "[::1]:8080"),
        ("[::1]", None, "http", "[::1]"),
    ],
)
def test_a_host_shows_its_port_only_when_not_the_default(
    host: str, port: int | None, scheme: str, shown: str
) -> None:
    assert http_calls._host(host, port, scheme) == shown


def test_an_escaped_slash_in_a_value_does_not_split_it_into_segments(recordings, api) -> None:
    import httpx

    recording = Recording("r", 0.0, "GET")
    token = current_recording.set(recording)
    try:
        with httpx.Client() as client:
            client.get(f"{api}/files/abc%2Fdef%2Fghi/raw")
        connection = http.client.HTTPConnection(api.removeprefix("http://"))
        connection.request("GET", "/files/abc%2Fdef%2Fghi/raw")
        connection.getresponse().read()
        connection.close()
    finally:
        current_recording.reset(token)
    assert [h.path_pattern for h in recording.http_calls] == ["/files/<str>/raw"] * 2


def test_without_httpx_only_http_client_is_wrapped(monkeypatch) -> None:
    monkeypatch.setitem(
        sys.modules, "httpx", None
    )  # what an absent package looks like to find_spec
    before = health.error_counts()
    http_calls.install()
    assert health.error_counts() == before
    assert getattr(http.client.HTTPConnection.getresponse, "_perfkit_wrapped", False)
