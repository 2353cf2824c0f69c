"""bench's network block: this machine stays reachable, anything else is refused and noted."""

from __future__ import annotations

import socket

import pytest

from perfkit.bench import network
from perfkit.recording import Recording, current_labels, current_recording


def test_loopback_stays_reachable_while_the_block_is_on() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server, network.blocked() as guard:
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        with socket.create_connection(("localhost", port), timeout=5):
            pass
    assert guard.refused == set()


def _connect_as(target: str, recording: Recording | None) -> network.Guard:
    labels = current_labels.set({"target": target, "size": "5", "phase": "measure"})
    request = current_recording.set(recording)
    try:
        with network.blocked() as guard, pytest.raises(socket.gaierror, match="blocks"):
            socket.create_connection(("api.weather.example", 80), timeout=5)
    finally:
        current_recording.reset(request)
        current_labels.reset(labels)
    return guard


def test_an_outside_name_is_refused_and_noted_on_the_target_that_asked() -> None:
    guard = _connect_as("weather", Recording("r1", 0.0, "GET"))
    assert guard.refused == {network.RefusedCall("weather", "GET", "api.weather.example")}


def test_a_call_between_requests_is_not_charged_to_the_next_target() -> None:
    """Logging a persona in saves the user; a project's save handler may call out (DjangoBlog
    pings a search engine): that is bench's doing, not the view's about to be requested."""
    guard = _connect_as("admin:jsi18n", None)
    assert guard.refused == {
        network.RefusedCall(network.OUTSIDE_A_REQUEST, "", "api.weather.example")
    }


def test_the_block_ends_with_its_block() -> None:
    before = socket.getaddrinfo, socket.socket.connect, socket.socket.connect_ex
    with network.blocked():
        assert socket.getaddrinfo is not before[0]
    assert (socket.getaddrinfo, socket.socket.connect, socket.socket.connect_ex) == before


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("db.internal", True),
        ("10.0.0.1", False),
        ("192.168.1.20", False),
        ("api.example.com", False),
        ("2001:db8::1", False),
    ],
)
def test_what_counts_as_this_machine(host: str, local: bool) -> None:
    guard = network.Guard(frozenset({"db.internal"}))
    assert guard.local(host) is local


def test_the_project_database_hosts_stay_reachable() -> None:
    class Settings:
        DATABASES = {
            "default": {"HOST": "DB.internal"},
            "replica": {"HOST": "/var/run/postgresql"},
            "sqlite": {"NAME": "x.sqlite3"},
        }

    assert network.hosts_of(Settings) == frozenset({"db.internal"})
