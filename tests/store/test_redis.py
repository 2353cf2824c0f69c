"""Redis store against the real server on 127.0.0.1:6379 (db 14), one key per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis

from perfkit.errors import StoreError
from perfkit.store import open_store
from perfkit.store.redis import DEFAULT_KEY, SOCKET_TIMEOUT_S, RedisStore
from tests.store import (
    assert_between_reads_a_time_window,
    assert_corrupt_record_is_named,
    assert_latest_per_view,
    assert_missing_until_written,
    assert_prune_loses_no_concurrent_write,
    assert_prune_of_a_missing_store_creates_nothing,
    assert_prunes_before,
    assert_reads_recordings,
    dicts,
    make_record,
)

SERVER = "redis://127.0.0.1:6379/14"


@pytest.fixture
def key() -> Iterator[str]:
    name = f"perfkit:test:{uuid.uuid4().hex}"
    client = redis.Redis.from_url(SERVER)
    yield name
    client.delete(name)
    client.close()


def test_round_trip_is_exact_and_in_push_order(key: str) -> None:
    store = open_store(f"{SERVER}?key={key}")
    assert isinstance(store, RedisStore)
    assert store.key == key
    records = [make_record(i) for i in range(2500)]  # crosses push and read chunk sizes
    store.write(records[:7])
    store.write(records[7:])
    assert store.count() == 2500
    assert dicts(store.read()) == records
    client = redis.Redis.from_url(SERVER)
    assert client.llen(key) == 2500
    assert client.type(key) == b"list"
    client.close()
    store.clear()
    assert store.count() == 0
    assert list(store.read()) == []
    store.close()


def test_default_key_and_other_query_options_survive() -> None:
    store = RedisStore("redis://127.0.0.1:6379/14?socket_keepalive=true")
    assert store.key == DEFAULT_KEY
    assert store._client_url == "redis://127.0.0.1:6379/14?socket_keepalive=true"


def test_unreachable_server_fails_fast_with_store_error() -> None:
    store = open_store("redis://127.0.0.1:1/0")
    with pytest.raises(StoreError, match=r"redis store write failed \(redis://127.0.0.1:1/0\)"):
        store.write([make_record(1)])
    with pytest.raises(StoreError, match="redis store count failed"):
        store.count()
    # Fast by construction, not by a stopwatch: every socket wait is bounded.
    kwargs = store._client.connection_pool.connection_kwargs
    assert kwargs["socket_connect_timeout"] == kwargs["socket_timeout"] == SOCKET_TIMEOUT_S <= 1


def test_latest_reads_one_view(key: str) -> None:
    store = open_store(f"{SERVER}?key={key}")
    assert_latest_per_view(store)
    store.close()


def test_between_reads_a_time_window(key: str) -> None:
    store = open_store(f"{SERVER}?key={key}")
    assert_between_reads_a_time_window(store)
    store.close()


def test_read_latest_and_between_give_recordings(key: str) -> None:
    store = open_store(f"{SERVER}?key={key}")
    assert_reads_recordings(store)
    store.close()


def test_a_corrupt_item_is_named_by_its_index(key: str) -> None:
    store = open_store(f"{SERVER}?key={key}")
    client = redis.Redis.from_url(SERVER)
    assert_corrupt_record_is_named(
        store,
        lambda: client.rpush(key, b"{not json"),
        "index 2",
        "not JSON (Expecting property name enclosed in double quotes: char 1)",
    )
    client.close()
    store.close()


def test_a_missing_key_is_missing(key: str) -> None:
    store = open_store(f"{SERVER}?key={key}")
    client = redis.Redis.from_url(SERVER)
    assert_missing_until_written(store, f"no key {key!r}", lambda: not client.exists(key))
    client.close()
    store.close()


def test_prune_removes_what_started_before_the_cut_off(key: str) -> None:
    store = open_store(f"{SERVER}?key={key}")
    assert_prunes_before(store)
    store.close()


def test_prune_keeps_push_order_and_what_it_cannot_date(key: str) -> None:
    store = open_store(f"{SERVER}?key={key}")
    store.prune_batch = 4
    records = [make_record(i) for i in range(12)]
    store.write(records[:5])
    client = redis.Redis.from_url(SERVER)
    client.rpush(key, b"not json", b'{"id": "undated"}', b"[1, 2]")
    store.write(records[5:])
    assert store.prune(records[6]["started_at"]) == 6
    assert client.lrange(key, 0, 2) == [b"not json", b'{"id": "undated"}', b"[1, 2]"]
    assert [r.id for r in store.read(lambda _: None)] == [r["id"] for r in records[6:]]
    client.close()
    store.close()


def test_prune_of_a_missing_key_creates_nothing(key: str) -> None:
    store = open_store(f"{SERVER}?key={key}")
    client = redis.Redis.from_url(SERVER)
    assert_prune_of_a_missing_store_creates_nothing(store, lambda: not client.exists(key))
    client.close()
    store.close()


def test_prune_loses_no_record_a_writer_adds_meanwhile(key: str) -> None:
    assert_prune_loses_no_concurrent_write(f"{SERVER}?key={key}")
