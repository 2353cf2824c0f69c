"""A store that is unreachable, or dies mid-run, never harms a response; every drop is counted."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.test import override_settings

from perfkit.demo.data import populate
from perfkit.store import writer
from tests.conftest import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_writer() -> Iterator[None]:
    writer.shutdown(timeout=5)
    yield
    writer.shutdown(timeout=5)


def _serve(client, count: int) -> list[bytes]:
    bodies = []
    for _ in range(count):
        response = client.get("/stories/")
        assert response.status_code == 200
        bodies.append(response.content)
    return bodies


def test_unreachable_redis_store(client) -> None:
    populate(3)
    expected = client.get("/stories/").content
    writer.shutdown(timeout=5)
    with override_settings(PERFKIT={"STORE": "redis://127.0.0.1:1/0", "STORE_IN_TESTS": True}):
        bodies = _serve(client, 20)
        assert writer.flush(timeout=20)
    assert bodies == [expected] * 20
    assert writer.stats()["submitted"] == 20
    assert writer.stats()["dropped"] == 20
    assert writer.stats()["written"] == 0


def _wait_for(check, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_redis_store_stopped_mid_run(client, tmp_path: Path) -> None:
    populate(3)
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    probe = redis.Redis(port=port, socket_connect_timeout=0.2)

    def up() -> bool:
        try:
            return bool(probe.ping())
        except redis.ConnectionError:
            return False

    try:
        _wait_for(up)
        with override_settings(
            PERFKIT={"STORE": f"redis://127.0.0.1:{port}/0", "STORE_IN_TESTS": True}
        ):
            _serve(client, 15)
            assert writer.flush(timeout=20)
            assert probe.llen("perfkit:recordings") == 15
            server.kill()
            server.wait()
            _serve(client, 10)
            assert writer.flush(timeout=20)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    stats = writer.stats()
    assert (stats["submitted"], stats["written"], stats["dropped"]) == (25, 15, 10)
    assert stats["errors"] >= 1  # one per failed batch
