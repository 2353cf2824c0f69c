"""Concurrent requests never mix recordings: threads, async views, a real ASGI server."""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from django.test import Client

from perfkit.demo.data import populate
from perfkit.demo.models import Story
from tests.conftest import async_get
from tests.servers import demo_env, serving

EXPECTED_QUERIES = {
    "demo:story_list_slow": 21,
    "demo:story_list": 2,
    "demo:ping": 0,
    "demo:story_detail": 2,
}


@pytest.mark.django_db(transaction=True)
def test_eight_threads_never_mix_recordings(recordings) -> None:
    populate(10)
    pk = Story.objects.order_by("id").first().pk
    paths = ["/stories/slow/", "/stories/", "/ping/", f"/stories/{pk}/"] * 10

    def fetch(path: str) -> int:
        return Client().get(path).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(fetch, paths))
    assert statuses == [200] * 40
    assert len(recordings) == 40
    for recording in recordings:
        assert len(recording.queries) == EXPECTED_QUERIES[recording.view], recording.view
    slow_fingerprints = {
        q.fingerprint for r in recordings if r.view.endswith("slow") for q in r.queries
    }
    ping_or_list = [r for r in recordings if r.view in ("demo:story_list", "demo:story_detail")]
    for recording in ping_or_list:
        assert len({q.fingerprint for q in recording.queries} & slow_fingerprints) <= 1


@pytest.mark.django_db(transaction=True)
def test_async_view_under_async_client(async_client, recordings) -> None:
    populate(7)
    response = async_get(async_client, "/api/stories/async/")
    assert response.status_code == 200
    assert len(response.json()["stories"]) == 7
    (recording,) = recordings
    assert recording.view == "demo:api_stories_async"
    assert len(recording.queries) == 2
    assert all("api_stories_async" in q.callsite for q in recording.queries)
    assert response.has_header("Server-Timing")


def test_async_views_through_a_real_asgi_server(tmp_path: Path) -> None:
    store = tmp_path / "records.jsonl"
    env = demo_env(tmp_path, f"jsonl://{store}")
    uvicorn = [sys.executable, "-m", "uvicorn", "perfkit.demo.asgi:application", "--port", "{port}"]
    with serving(uvicorn, env) as base, httpx.Client(base_url=base) as http:
        results = [http.get(p) for p in ["/api/stories/async/", "/stories/slow/"] * 5]
    assert [r.status_code for r in results] == [200] * 10
    assert all("Server-Timing" in r.headers for r in results)
    records = [json.loads(line) for line in store.read_text().splitlines()]
    counts = {(r["view"], len(r["queries"])) for r in records if r["view"] != "demo:ping"}
    assert counts == {("demo:api_stories_async", 2), ("demo:story_list_slow", 21)}
    assert sum(r["view"] != "demo:ping" for r in records) == 10
