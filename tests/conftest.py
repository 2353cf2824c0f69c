"""Fixtures shared by perfkit's tests."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from hypothesis import HealthCheck, settings

from perfkit.recording import Recording
from perfkit.signals import recording_finished

#: Hypothesis fails an example that runs past 200 ms, and a test whose data takes long to
#: generate: both are wall-clock assertions, and on a loaded CI machine they fail correct tests
#: (the privacy test did, beside a CPU-heavy job).
settings.register_profile("perfkit", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("perfkit")


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
