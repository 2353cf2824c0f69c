"""Time requests through Django's handler with and without PerfkitMiddleware, in one run.

Each timed call serves a burst of requests, two ways:

- ``latency``: the background writer stores recordings while later bursts run; what is timed
  is what clients wait for. The writer's backlog is flushed, untimed, before each burst.
- ``persisted``: the burst and then the wait until the writer has stored its recordings, so
  the whole cost of persisting them is timed too.
"""

from __future__ import annotations

import pytest

from benchmarks.conftest import BURST
from perfkit.store import writer

VIEWS = {
    "no-query view (/ping/)": "/ping/",
    "51-query N+1 list (/stories/slow/)": "/stories/slow/",
    "cache-get view (/tags/)": "/tags/",
}


def burst(get, path: str) -> bytes:
    for _ in range(BURST):
        body = get(path)
    return body


def persisted_burst(get, path: str) -> bytes:
    body = burst(get, path)
    assert writer.flush(timeout=60)
    return body


@pytest.mark.parametrize("side", ["bare", "recorded"])
@pytest.mark.parametrize("group", VIEWS)
@pytest.mark.parametrize("mode", ["latency", "persisted"])
def test_request(benchmark, request, mode: str, group: str, side: str) -> None:
    """Each view twice, bare then recorded, so both sides run back to back."""
    get = request.getfixturevalue(side)
    path = VIEWS[group]
    benchmark.group = f"{mode}: {group}"
    benchmark.name = f"{side}: {group}"
    get(path)
    if mode == "latency":
        body = benchmark.pedantic(
            burst,
            args=(get, path),
            setup=lambda: writer.flush(timeout=60) and None,
            rounds=40 if path != "/stories/slow/" else 8,
        )
    else:
        body = benchmark(persisted_burst, get, path)
    assert body
    assert writer.stats()["dropped"] == 0
