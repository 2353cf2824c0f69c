"""Fixtures shared by perfkit's tests."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from perfkit.recording import Recording
from perfkit.signals import recording_finished


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
