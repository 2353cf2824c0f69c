"""Django for the overhead benchmarks: the demo site in memory, with and without perfkit."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable

import pytest

from perfkit.bench.demo_site import setup_demo

setup_demo(f"sqlite:///{tempfile.mkdtemp(prefix='perfkit-bench-')}/perfkit.sqlite3")

from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.test import override_settings  # noqa: E402

from perfkit import conf  # noqa: E402
from perfkit.demo.data import populate  # noqa: E402
from perfkit.store import writer  # noqa: E402

PERFKIT = "perfkit.middleware.PerfkitMiddleware"

# Under pytest the plugin keeps recordings out of the store; the persisted cost is measured.
settings.PERFKIT = {**settings.PERFKIT, "STORE_IN_TESTS": True}
conf.get_config.cache_clear()

#: 25 stories: the slow list then runs 1 + 2·25 = 51 queries.
SIZE = 25


def _environ(path: str) -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.5",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
    }


def _start_response(status: str, headers: list, exc_info: object = None) -> None:
    assert status.startswith("200"), status


def make_client(with_perfkit: bool) -> Callable[[str], bytes]:
    """A function that serves one GET through Django's WSGI handler."""
    middleware = [m for m in settings.MIDDLEWARE if m != PERFKIT]
    if with_perfkit:
        middleware = [PERFKIT, *middleware]
    with override_settings(MIDDLEWARE=middleware):
        handler = WSGIHandler()

    def get(path: str) -> bytes:
        response = handler(_environ(path), _start_response)
        body = b"".join(response)
        response.close()
        return body

    return get


@pytest.fixture(scope="session", autouse=True)
def demo_data() -> None:
    populate(SIZE)


@pytest.fixture(scope="session")
def bare() -> Callable[[str], bytes]:
    return make_client(with_perfkit=False)


@pytest.fixture(scope="session")
def recorded() -> Callable[[str], bytes]:
    return make_client(with_perfkit=True)


def pytest_terminal_summary(terminalreporter, config) -> None:
    session = getattr(config, "_benchmarksession", None)
    if session is None:
        return
    paired = [b for b in session.benchmarks if "ratio" in b.extra_info]
    if not paired:
        return
    writer.flush(timeout=30)
    terminalreporter.write_sep("-", "perfkit overhead: median over paired rounds, with / without")
    for bench in sorted(paired, key=lambda b: b.name):
        info = bench.extra_info
        terminalreporter.write_line(
            f"{bench.name:<46} bare {info['bare_us']:9.1f} µs/request   "
            f"recorded {info['recorded_us']:9.1f} µs/request   ×{info['ratio']:.3f}"
        )
    stats = writer.stats()
    terminalreporter.write_line(
        f"writer: {stats['written']} recordings written, {stats['dropped']} dropped"
    )
