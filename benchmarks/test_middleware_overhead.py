"""Time a request through Django's handler with and without PerfkitMiddleware, in one run."""

from __future__ import annotations

import pytest

VIEWS = {
    "no-query view (/ping/)": "/ping/",
    "51-query N+1 list (/stories/slow/)": "/stories/slow/",
    "cache-get view (/tags/)": "/tags/",
}


@pytest.mark.parametrize("side", ["bare", "recorded"])
@pytest.mark.parametrize("group", VIEWS)
def test_request(benchmark, request, group: str, side: str) -> None:
    """Each view twice, bare then recorded, so both sides run back to back."""
    get = request.getfixturevalue(side)
    path = VIEWS[group]
    benchmark.group = group
    benchmark.name = f"{side}: {group}"
    get(path)
    body = benchmark(get, path)
    assert body
