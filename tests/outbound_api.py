"""A local HTTP API the outbound-call tests start, and views (a URLconf) that call it."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import requests
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path


class _Handler(BaseHTTPRequestHandler):
    """``/users/<id>`` answers 200 with JSON; ``/missing/…`` 404; every path is accepted."""

    def do_GET(self) -> None:
        status = 404 if self.path.startswith("/missing/") else 200
        body = json.dumps({"path": self.path}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return


@contextmanager
def api_server() -> Iterator[str]:
    """A threaded HTTP server on a free loopback port; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _base() -> str:
    return str(settings.OUTBOUND_API)


def per_row_requests(request: HttpRequest) -> JsonResponse:
    names = []
    with requests.Session() as session:
        for user_id in range(1, 7):
            names.append(session.get(f"{_base()}/users/{user_id}?token=s3cret").json())  # per row
    return JsonResponse({"names": names})


def one_call_urllib(request: HttpRequest) -> JsonResponse:
    with urllib.request.urlopen(f"{_base()}/orders/2024/summary?email=a@b.c") as response:
        return JsonResponse(json.loads(response.read()))


def per_row_httpx(request: HttpRequest) -> JsonResponse:
    with httpx.Client() as client:
        rows = [
            client.get(f"{_base()}/users/{n}/avatar").status_code  # per row, httpx
            for n in range(1, 7)
        ]
    return JsonResponse({"rows": rows})


async def async_httpx(request: HttpRequest) -> JsonResponse:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{_base()}/missing/8a7f3c2e-5b1d-4c3a-9e8f-0a1b2c3d4e5f")
    return JsonResponse({"status": response.status_code})


def refused(request: HttpRequest) -> JsonResponse:
    try:
        requests.get(f"{settings.OUTBOUND_DEAD}/health", timeout=5)
    except requests.ConnectionError:
        return JsonResponse({"up": False})
    return JsonResponse({"up": True})


def per_row_page(request: HttpRequest) -> HttpResponse:
    """An HTML page (the toolbar shows only on one) that calls the API once per row."""
    with requests.Session() as session:
        rows = [session.get(f"{_base()}/users/{n}").status_code for n in range(1, 7)]  # per row
        session.get(f"{_base()}/missing/report")
    return HttpResponse(f"<html><body><p>{rows}</p></body></html>")


def no_calls(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"calls": 0})


urlpatterns = [
    path("per-row-requests/", per_row_requests),
    path("one-call-urllib/", one_call_urllib),
    path("per-row-httpx/", per_row_httpx),
    path("async-httpx/", async_httpx),
    path("refused/", refused),
    path("per-row-page/", per_row_page),
    path("no-calls/", no_calls),
]
