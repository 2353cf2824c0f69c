"""Several gunicorn worker processes record into one store: every request, exactly once."""

from __future__ import annotations

import uuid
from collections import Counter
from pathlib import Path

import httpx
import psycopg
import pytest

from perfkit.store import open_store
from tests.servers import demo_env, gunicorn, serving

REQUESTS = 1000


def serve_requests(base: str) -> list[int]:
    paths = ["/stories/", "/ping/", "/tags/", "/api/stories/"]
    with httpx.Client(base_url=base) as http:
        return [http.get(paths[i % len(paths)]).status_code for i in range(REQUESTS)]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_workers_record_every_request_exactly_once(tmp_path: Path, backend: str) -> None:
    if backend == "sqlite":
        store_url = f"sqlite:///{tmp_path / 'perfkit.sqlite3'}"
    else:
        table = f"perfkit_gunicorn_{uuid.uuid4().hex[:8]}"
        store_url = f"postgresql://postgres@127.0.0.1:5432/test?table={table}"
    env = demo_env(tmp_path, store_url)
    with serving(gunicorn(), env) as base:
        statuses = serve_requests(base)
    assert statuses == [200] * REQUESTS
    store = open_store(store_url)
    try:
        records = list(store.read())
    finally:
        store.close()
        if backend == "postgresql":
            with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test") as connection:
                connection.execute(f"DROP TABLE IF EXISTS {table}")
    # one more than we sent: the readiness probe's GET /ping/ that first succeeded
    assert len(records) == REQUESTS + 1
    assert len({r.id for r in records}) == REQUESTS + 1
    views = Counter(r.view for r in records)
    assert views == {
        "demo:story_list": REQUESTS // 4,
        "demo:ping": REQUESTS // 4 + 1,
        "demo:tag_cloud": REQUESTS // 4,
        "demo:api_stories": REQUESTS // 4,
    }
    assert {len(r.queries) for r in records if r.view == "demo:story_list"} == {2}
