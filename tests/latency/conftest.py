"""Fixtures for the latency tests: the system Chromium, gunicorn argv."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from perfkit.latency import chromium
from perfkit.latency.browser import Chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    """Headless Chromium found the way ``perfkit latency`` finds it.

    Module-scoped: Playwright's sync API allows one running instance per thread, and other
    test modules start their own.
    """
    launched = Chromium(chromium.find())
    yield launched
    launched.close()
