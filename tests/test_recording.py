"""Recordings: ids unique across processes; the stored form compact and exact to the µs."""

from __future__ import annotations

import json
import os

import pytest

from perfkit.recording import CacheEvent, HttpEvent, QueryEvent, Recording, new_id


def test_ids_are_32_hex_digits_and_rise_within_a_process() -> None:
    ids = [new_id() for _ in range(1000)]
    assert len(set(ids)) == 1000
    assert ids == sorted(ids)
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert {i[:20] for i in ids} == {ids[0][:20]}


def test_a_forked_child_draws_a_new_tag() -> None:
    before = new_id()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        os.write(write, new_id().encode())
        os._exit(0)
    os.close(write)
    child = os.read(read, 64).decode()
    os.close(read)
    os.waitpid(pid, 0)
    after = new_id()
    assert len(child) == 32
    assert child[:20] != before[:20]
    assert after[:20] == before[:20]
    assert child not in (before, after)


def _query(fingerprint: str, duration_ms: float, sql: str, callsite: str) -> QueryEvent:
    return QueryEvent("default", fingerprint, sql, duration_ms, 1, callsite, params_hash=7)


def test_stored_form_round_trips_and_holds_a_statement_once() -> None:
    author = 'SELECT "name" FROM "author" WHERE "id" = #'
    queries = [
        _query("f1", 0.25, 'SELECT "id" FROM "story"', "views.py:10 in listing"),
        *(
            _query("f2", 0.062 * n + 0.0001, author, "list.html:9 via views.py:11")
            for n in range(1, 51)
        ),
    ]
    cache = [CacheEvent("default", "get", "story:#", 0.0125, hit=True, hits=1)]
    recording = Recording(new_id(), 1.5, "GET", view="demo:list", queries=queries, cache_ops=cache)

    text = json.dumps(recording.to_dict())
    back = Recording.from_dict(json.loads(text))

    assert text.count("author") == 1
    assert text.count("list.html:9") == 1
    assert back.queries == [
        _query(q.fingerprint, round(q.duration_ms, 3), q.sql, q.callsite) for q in queries
    ]
    assert back.cache_ops == [CacheEvent("default", "get", "story:#", 0.013, hit=True, hits=1)]
    assert (back.id, back.view, back.db_ms) == (recording.id, "demo:list", pytest.approx(79.3))


def test_outbound_calls_round_trip_and_are_stored_only_when_made() -> None:
    calls = [
        HttpEvent("GET", "api.example.com", "/users/#", 200, 12.3456, "views.py:20 in listing"),
        HttpEvent("POST", "127.0.0.1:8001", "/orders", None, 3.0, "views.py:31 in order", 4),
    ]
    recording = Recording(new_id(), 1.5, "GET", http_calls=calls)
    quiet = Recording(new_id(), 1.5, "GET")

    back = Recording.from_dict(json.loads(json.dumps(recording.to_dict())))

    assert back.http_calls == [
        HttpEvent("GET", "api.example.com", "/users/#", 200, 12.346, "views.py:20 in listing"),
        calls[1],
    ]
    assert back.http_ms == pytest.approx(15.346)
    assert "http_calls" not in quiet.to_dict()


def test_a_record_stored_before_outbound_calls_were_recorded_reads_back() -> None:
    old = Recording(new_id(), 1.5, "GET").to_dict()
    assert Recording.from_dict(old).http_calls == []
