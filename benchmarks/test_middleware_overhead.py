"""Time requests through Django's handler with and without PerfkitMiddleware, in one run.

Each timed call serves a burst of requests and then waits for the background writer to
store their recordings, so the cost of persisting them is in the measurement too.
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
    assert writer.flush(timeout=60)
    return body


@pytest.mark.parametrize("side", ["bare", "recorded"])
@pytest.mark.parametrize("group", VIEWS)
def test_request(benchmark, request, group: str, side: str) -> None:
    """Each view twice, bare then recorded, so both sides run back to back."""
    get = request.getfixturevalue(side)
    path = VIEWS[group]
    benchmark.group = group
    benchmark.name = f"{side}: {group}"
    get(path)
    assert benchmark(burst, get, path)
