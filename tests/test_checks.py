"""perfkit's system checks: each one fires on the mistake it names and stays quiet otherwise."""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from perfkit import checks
from tests.conftest import free_port

PERFKIT = "perfkit.middleware.PerfkitMiddleware"
SESSIONS = "django.contrib.sessions.middleware.SessionMiddleware"


def perfkit_messages(**overrides: Any) -> dict[str, list[Any]]:
    """perfkit's check messages by id, with ``overrides`` applied to the settings."""
    with override_settings(**overrides):
        found: dict[str, list[Any]] = {}
        for message in run_checks():
            if message.id.startswith("perfkit."):
                found.setdefault(message.id, []).append(message)
    for messages in found.values():
        assert all(m.hint for m in messages), "every perfkit check gives a hint"
    return found


def test_the_test_settings_pass_every_check() -> None:
    assert perfkit_messages() == {}


def test_e001_a_sampling_rate_out_of_range() -> None:
    assert "perfkit.E001" in perfkit_messages(PERFKIT={"SAMPLE_RATE": 1.5})
    assert "perfkit.E001" not in perfkit_messages(PERFKIT={"SAMPLE_RATE": 0.5})


def test_w001_the_middleware_is_missing() -> None:
    (message,) = perfkit_messages(MIDDLEWARE=[SESSIONS])["perfkit.W001"]
    assert PERFKIT in message.msg
    assert "first entry of MIDDLEWARE" in message.hint
    assert "perfkit.W001" not in perfkit_messages(MIDDLEWARE=[PERFKIT, SESSIONS])


@pytest.mark.parametrize(
    "above",
    [
        "django.middleware.cache.FetchFromCacheMiddleware",
        "django.middleware.cache.CacheMiddleware",
        "django.middleware.common.CommonMiddleware",
    ],
)
def test_w002_the_middleware_comes_after_one_that_answers_first(above: str) -> None:
    (message,) = perfkit_messages(MIDDLEWARE=[SESSIONS, above, PERFKIT])["perfkit.W002"]
    assert f"comes after {above}" in message.msg
    assert "Move" in message.hint


def test_w002_not_for_middleware_that_never_answers_first() -> None:
    middleware = [
        "django.middleware.cache.UpdateCacheMiddleware",
        SESSIONS,
        PERFKIT,
        "django.middleware.cache.FetchFromCacheMiddleware",
    ]
    assert perfkit_messages(MIDDLEWARE=middleware) == {}


def test_w003_a_store_nobody_listens_on() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    (message,) = perfkit_messages(PERFKIT={"STORE": url})["perfkit.W003"]
    assert url in message.msg
    assert "refused" in message.msg.lower()


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_w003_a_store_that_never_answers(silent_server: int, monkeypatch) -> None:
    monkeypatch.setattr(checks, "STORE_TIMEOUT_S", 0.2)
    url = f"redis://127.0.0.1:{silent_server}/0"
    (message,) = perfkit_messages(PERFKIT={"STORE": url})["perfkit.W003"]
    assert "no answer within 0.2 s" in message.msg


def test_w003_a_sqlite_store_where_no_file_can_be_made(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    url = f"sqlite:///{tmp_path}/file/perfkit.sqlite3"
    (message,) = perfkit_messages(PERFKIT={"STORE": url})["perfkit.W003"]
    assert "is not a writable directory" in message.msg


def test_w003_not_for_stores_that_answer(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "perfkit.sqlite3").close()
    (tmp_path / "perfkit.jsonl").write_text("")
    for url in (
        f"sqlite:///{tmp_path}/new/dir/perfkit.sqlite3",  # made on the first record
        f"sqlite:///{tmp_path}/perfkit.sqlite3",
        f"jsonl://{tmp_path}/perfkit.jsonl",
        "redis://127.0.0.1:6379/0",
    ):
        assert "perfkit.W003" not in perfkit_messages(PERFKIT={"STORE": url}), url


def test_w004_a_profile_dir_that_cannot_be_written(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    for directory in (tmp_path / "file", tmp_path / "file" / "profiles"):
        (message,) = perfkit_messages(PERFKIT={"PROFILE_DIR": str(directory)})["perfkit.W004"]
        assert str(tmp_path / "file") in message.msg
    fine = str(tmp_path / "not" / "yet" / "made")
    assert "perfkit.W004" not in perfkit_messages(PERFKIT={"PROFILE_DIR": fine})
