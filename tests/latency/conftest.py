"""Fixtures for the latency tests: the system Chromium, gunicorn argv."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from perfkit.latency import chromium
from perfkit.latency.browser import Chromium


def gunicorn(app: str, workers: int = 2) -> list[str]:
    """argv for gunicorn serving ``app`` on the free port ``serving`` picks."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--bind",
        "127.0.0.1:{port}",
        app,
    ]


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    """Headless Chromium found the way ``perfkit latency`` finds it.

    Module-scoped: Playwright's sync API allows one running instance per thread, and other
    test modules start their own.
    """
    launched = Chromium(chromium.find())
    yield launched
    launched.close()
