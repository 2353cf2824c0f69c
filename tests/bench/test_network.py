"""bench's network block: this machine stays reachable, anything else is refused and noted."""

from __future__ import annotations

import socket

import pytest

from perfkit.bench import network
from perfkit.recording import current_labels


def test_loopback_stays_reachable_while_the_block_is_on() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server, network.blocked() as guard:
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        with socket.create_connection(("localhost", port), timeout=5):
            pass
    assert guard.refused == set()


def test_an_outside_name_is_refused_and_noted_on_the_target_that_asked() -> None:
    token = current_labels.set({"target": "weather", "size": "5", "phase": "measure"})
    try:
        with network.blocked() as guard, pytest.raises(socket.gaierror, match="blocks"):
            socket.create_connection(("api.weather.example", 80), timeout=5)
    finally:
        current_labels.reset(token)
    assert guard.refused == {network.RefusedCall("weather", "", "api.weather.example")}


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
