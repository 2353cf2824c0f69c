"""open_store(): scheme dispatch, rejected URLs, and no third-party imports until first use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from perfkit.errors import StoreError
from perfkit.store import SCHEMES, open_store, redact_url
from perfkit.store.jsonl import JSONLStore
from perfkit.store.postgresql import PostgreSQLStore
from perfkit.store.redis import RedisStore
from perfkit.store.sqlite import SQLiteStore
from tests.store import make_record

ROOT = Path(__file__).resolve().parents[2]


def test_schemes() -> None:
    assert SCHEMES == ("sqlite", "postgresql", "postgres", "redis", "rediss", "jsonl")


@pytest.mark.parametrize(
    ("url", "cls"),
    [
        ("sqlite:////tmp/x.sqlite3", SQLiteStore),
        ("SQLITE:////tmp/x.sqlite3", SQLiteStore),
        ("postgresql://u@h:5432/db?table=t", PostgreSQLStore),
        ("postgres://u@h/db", PostgreSQLStore),
        ("redis://h:6379/0?key=k", RedisStore),
        ("rediss://h:6379/0", RedisStore),
        ("jsonl:///tmp/x.jsonl", JSONLStore),
        ("jsonl://x.jsonl", JSONLStore),
    ],
)
def test_dispatch_by_scheme(url: str, cls: type) -> None:
    store = open_store(url)
    assert type(store) is cls
    assert store.url == url


@pytest.mark.parametrize(
    "url", ["", "recordings.sqlite3", "/tmp/x.jsonl", "mysql://u@h/db", "file:///tmp/x", "sqlite:"]
)
def test_bad_urls_name_the_accepted_schemes(url: str) -> None:
    with pytest.raises(StoreError) as info:
        open_store(url)
    message = str(info.value)
    assert "unsupported store URL" in message
    for scheme in SCHEMES:
        assert f"{scheme}://" in message


def test_error_messages_hide_passwords() -> None:
    with pytest.raises(StoreError) as info:
        open_store("mysql://root:hunter2@db/x")
    assert "hunter2" not in str(info.value)
    assert redact_url("postgresql://u:pw@h:1/d?password=pw&x=1") == (
        "postgresql://u:***@h:1/d?password=%2A%2A%2A&x=1"
    )
    assert redact_url("redis://h:6379/0") == "redis://h:6379/0"


def test_store_modules_import_only_the_standard_library() -> None:
    code = (
        "import sys\n"
        "import perfkit.store, perfkit.store.writer, perfkit.store.sqlite\n"
        "import perfkit.store.postgresql, perfkit.store.redis, perfkit.store.jsonl\n"
        "from perfkit.store import open_store\n"
        "open_store('postgresql://u@h/db'); open_store('redis://h/0')\n"
        "bad = sorted(m for m in ('psycopg', 'redis', 'django') if m in sys.modules)\n"
        "print(bad)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_missing_driver_gives_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(StoreError, match=r"pip install 'psycopg\[binary\]'"):
        open_store("postgresql://postgres@127.0.0.1/test").write([make_record(1)])
    with pytest.raises(StoreError, match="the redis store needs redis-py: pip install redis"):
        open_store("redis://127.0.0.1:6379/14").count()
