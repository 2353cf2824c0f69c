"""Django for the overhead benchmarks: the demo site in memory, with and without perfkit."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import tempfile
import warnings
from collections.abc import Callable, Iterator
from typing import NamedTuple

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

#: django-querycount, a no-op unless DEBUG=True: its requests run under DEBUG=True (which
#: makes Django log every query too; that is part of what using it costs).
QUERYCOUNT = "querycount.middleware.QueryCountMiddleware"


def _zeal() -> tuple[str, ...]:
    """django-zeal's middleware, once its app has patched the ORM (what its ``ready()`` does).

    The patches are process-wide: from here on every client runs on zeal's patched ORM,
    idle outside zeal's middleware, bare Django's included. ``ZEAL_RAISE=False``: it logs
    an N+1 instead of failing the request.
    """
    if importlib.util.find_spec("zeal") is None:
        return ()
    from zeal.constants import initialize_app_registry
    from zeal.patch import patch

    settings.ZEAL_RAISE = False
    initialize_app_registry()
    patch()
    return ("zeal.middleware.zeal_middleware",)


ZEAL = _zeal()

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


def make_client(
    with_perfkit: bool, *, append: tuple[str, ...] = (), debug: bool = False
) -> Callable[[str], bytes]:
    """A function that serves one GET through Django's WSGI handler.

    ``append`` puts a peer's middleware innermost, as its README says; ``debug`` builds the
    chain under ``DEBUG=True`` (a peer that reads it once, at start-up).
    """
    middleware = [m for m in settings.MIDDLEWARE if m != PERFKIT]
    if with_perfkit:
        middleware = [PERFKIT, *middleware]
    with override_settings(MIDDLEWARE=[*middleware, *append], DEBUG=debug or settings.DEBUG):
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


@pytest.fixture(scope="session")
def peers() -> dict[str, Peer]:
    """The peers installed here (the ``dev`` extra has both), each as its README sets it up."""
    found: dict[str, Peer] = {}
    if ZEAL:
        found["django-zeal"] = Peer(make_client(False, append=ZEAL), _zeal_warnings)
    if importlib.util.find_spec("querycount") is not None:
        client = make_client(False, append=(QUERYCOUNT,), debug=True)
        found["django-querycount"] = Peer(client, lambda: override_settings(DEBUG=True))
    return found


@contextlib.contextmanager
def _zeal_warnings() -> Iterator[None]:
    """zeal's N+1 warnings shown once per place, as outside pytest (which makes them errors)."""
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        yield


class Peer(NamedTuple):
    """A peer's client, and the settings its requests run under (entered outside the timing)."""

    get: Callable[[str], bytes]
    settings: Callable[[], contextlib.AbstractContextManager[object]]


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
        for peer, (peer_us, ratio) in sorted(info.get("peers", {}).items()):
            terminalreporter.write_line(
                f"{'':<46} {peer:>31} {peer_us:9.1f} µs/request   ×{ratio:.3f}"
            )
    stats = writer.stats()
    terminalreporter.write_line(
        f"writer: {stats['written']} recordings written, {stats['dropped']} dropped"
    )
