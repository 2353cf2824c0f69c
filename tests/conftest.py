"""Fixtures shared by perfkit's tests."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from hypothesis import HealthCheck, settings

from perfkit.recording import Recording
from perfkit.signals import recording_finished
from perfkit.store import open_store

#: Hypothesis fails an example that runs past 200 ms, and a test whose data takes long to
#: generate: both are wall-clock assertions, and on a loaded CI machine they fail correct tests
#: (the privacy test did, beside a CPU-heavy job).
settings.register_profile("perfkit", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("perfkit")


@pytest.fixture(autouse=True)
def _fresh_local_caches() -> Iterator[None]:
    """Each test starts with empty in-process caches: a page one test cached is not another's hit.

    Only the local-memory caches, which live in this process; a shared server (Redis,
    memcached) is left to the tests that use it, with keys of their own.
    """
    from django.conf import settings as django_settings
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if django_settings.configured:
        for alias in django_settings.CACHES:
            if isinstance(caches[alias], LocMemCache):
                caches[alias].clear()
    yield


@pytest.fixture
def recordings() -> Iterator[list[Recording]]:
    """Every Recording finished while the test runs, in order."""
    found: list[Recording] = []

    def collect(sender: object, recording: Recording, **kwargs: object) -> None:
        found.append(recording)

    recording_finished.connect(collect, weak=False, dispatch_uid="tests.recordings")
    yield found
    recording_finished.disconnect(dispatch_uid="tests.recordings")


def free_port() -> int:
    """A TCP port nobody listens on right now, on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def async_get(client: Any, path: str, **extra: Any) -> Any:
    """An AsyncClient GET run to completion (Django 4.2 does not mark ``get`` as async)."""

    async def get() -> Any:
        return await client.get(path, **extra)

    return async_to_sync(get)()


STORE_POSTGRESQL = "postgresql://postgres@127.0.0.1:5432/test"
STORE_REDIS = "redis://127.0.0.1:6379/13"


@pytest.fixture
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store of the kind the test is parametrized with (indirect), removed after."""
    kind = request.param
    if kind == "jsonl":
        url = f"jsonl://{tmp_path / 'r.jsonl'}"
    elif kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    elif kind == "postgresql":
        url = f"{STORE_POSTGRESQL}?table=pk_facts_{uuid.uuid4().hex[:12]}"
    else:
        url = f"{STORE_REDIS}?key=perfkit:facts:{uuid.uuid4().hex}"
    yield url
    if kind == "postgresql":
        import psycopg

        with psycopg.connect(STORE_POSTGRESQL, autocommit=True) as conn:
            conn.execute(f"DROP TABLE IF EXISTS {url.rpartition('=')[2]}")
        return
    store = open_store(url)
    if not store.missing():
        store.clear()
    store.close()
