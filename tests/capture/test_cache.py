"""The cache recorder on local-memory and real Redis caches, sync and async."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from asgiref.sync import async_to_sync
from django.core.cache import caches
from django.core.cache.utils import make_template_fragment_key
from django.test import override_settings

from perfkit.demo.data import populate
from perfkit.recording import Recording, current_recording

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
REDIS = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:6379/13",
}


@pytest.fixture(params=["locmem", "redis"])
def cache_backend(request) -> Iterator[str]:
    config = {"locmem": LOCMEM, "redis": REDIS}[request.param]
    with override_settings(CACHES={"default": config, "other": LOCMEM}):
        caches["default"].clear()
        yield request.param
        caches["default"].clear()


@pytest.fixture
def recording() -> Iterator[Recording]:
    recording = Recording("r", 0.0, "GET")
    token = current_recording.set(recording)
    yield recording
    current_recording.reset(token)


def ops(recording: Recording) -> list[tuple[str, str, str, bool | None, int, int]]:
    return [(c.alias, c.op, c.key_pattern, c.hit, c.keys, c.hits) for c in recording.cache_ops]


@pytest.mark.django_db
def test_low_level_cache_view_records_miss_then_hit(client, recordings, cache_backend) -> None:
    populate(5)
    client.get("/tags/")
    client.get("/tags/")
    first, second = recordings
    assert ops(first) == [
        ("default", "get", "demo:tag-cloud:v#", False, 1, 0),
        ("default", "set", "demo:tag-cloud:v#", None, 1, 0),
    ]
    assert len(first.queries) == 1
    assert ops(second) == [("default", "get", "demo:tag-cloud:v#", True, 1, 1)]
    assert (second.cache_hits, second.cache_misses, len(second.queries)) == (1, 0, 0)


def test_a_cached_none_is_a_hit_and_defaults_still_work(cache_backend, recording) -> None:
    cache = caches["default"]
    cache.set("user:7:nickname", None)
    assert cache.get("user:7:nickname", "fallback") is None
    assert cache.get("user:8:nickname", "fallback") == "fallback"
    assert cache.get("user:9:nickname", default=0) == 0
    assert [(c.op, c.hit) for c in recording.cache_ops] == [
        ("set", None),
        ("get", True),
        ("get", False),
        ("get", False),
    ]
    assert {c.key_pattern for c in recording.cache_ops} == {"user:#:nickname"}


def test_many_and_nested_operations_count_once(cache_backend, recording) -> None:
    cache = caches["default"]
    cache.set_many({"a:1": 1, "a:2": 2})
    assert cache.get_many(["a:1", "a:2", "a:3"]) == {"a:1": 1, "a:2": 2}
    assert cache.get_or_set("b:1", "x") == "x"
    assert cache.incr("a:1") == 2
    cache.delete("a:1")
    assert ops(recording) == [
        ("default", "set_many", "a:#", None, 2, 0),
        ("default", "get_many", "a:#", False, 3, 2),
        ("default", "get", "b:#", False, 1, 0),
        ("default", "add", "b:#", None, 1, 0),
        ("default", "get", "b:#", True, 1, 1),  # Django's get_or_set reads back what it added
        ("default", "incr", "a:#", None, 1, 0),
        ("default", "delete", "a:#", None, 1, 0),
    ]
    assert recording.cache_misses == 2


def test_async_methods_are_recorded_once(cache_backend, recording) -> None:
    cache = caches["default"]

    async def work() -> object:
        await cache.aset("k:1", "v")
        return await cache.aget("k:1"), await cache.aget("k:2", "d")

    assert async_to_sync(work)() == ("v", "d")
    assert [(c.op, c.hit) for c in recording.cache_ops] == [
        ("set", None),
        ("get", True),
        ("get", False),
    ]


def test_every_alias_is_recorded(cache_backend, recording) -> None:
    caches["other"].set("o:1", 1)
    caches["other"].get("o:1")
    assert [(c.alias, c.op, c.hit) for c in recording.cache_ops] == [
        ("other", "set", None),
        ("other", "get", True),
    ]


def test_raw_keys_and_values_are_never_recorded(cache_backend, recording) -> None:
    caches["default"].set("token:5f2b9c1e7a3d4e6f8a9b", "s3cret-value")
    event = recording.cache_ops[0]
    assert event.key_pattern == "token:<hex>"
    assert "s3cret" not in repr(recording.to_dict())


def test_nothing_is_recorded_outside_a_request(cache_backend) -> None:
    cache = caches["default"]
    cache.set("x:1", 1)
    assert cache.get("x:1") == 1
    assert current_recording.get() is None


@pytest.mark.django_db
def test_page_cache_keys_give_one_readable_pattern_whatever_the_url(client, recordings) -> None:
    populate(3)
    client.get("/cached/")
    client.get("/cached/?q=alice@example.com")
    client.get("/cached/?token=sk_live_1cbzZG06xQ9aBcD")
    patterns = {c.key_pattern for r in recordings for c in r.cache_ops}
    assert patterns == {
        "views.decorators.cache.cache_header..<hex>.en-us.<str>",
        "views.decorators.cache.cache_page..GET.<hex>.<hex>.en-us.<str>",
    }


def test_template_fragment_keys_keep_the_fragment_name(recording) -> None:
    caches["default"].set(make_template_fragment_key("sidebar", ["alice@example.com"]), "x")
    caches["default"].get(make_template_fragment_key("sidebar"))
    assert {c.key_pattern for c in recording.cache_ops} == {"template.cache.sidebar.<hex>"}
