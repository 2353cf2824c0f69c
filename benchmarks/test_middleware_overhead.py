"""Time requests through Django's handler with and without PerfkitMiddleware, in paired rounds.

Every round serves a burst of requests without the middleware, then the same burst with it,
so both sides see the same machine (a shared, noisy one): the ratio reported is the median of
the rounds' ratios. pytest-benchmark times the recorded bursts; the bare ones ride along in
``extra_info``.

Each round runs at another depth of the Python stack. CPython 3.11 allocates its frame stack
in 16 KiB chunks and frees a chunk as soon as the stack drops back below it, so a request whose
calls go back and forth across a chunk boundary pays an mmap and a munmap each time: 25-30%
slower, at some base depths and not at others (seen here: ~340,000 extra system calls in one
run). A middleware adds frames, so at a fixed depth either side can land on a boundary the other
misses; cycling the depth and taking the median ratio measures perfkit, not where pytest
happens to call from. Two ways to count:

- ``latency``: what clients wait for. The background writer stores recordings while later
  requests run; its backlog is flushed, untimed, before each round.
- ``persisted``: the burst and then the wait until the writer has stored its recordings, so
  the whole cost of persisting them is timed too.

Peers ride along in the same rounds: each round also serves the burst through django-zeal
and through django-querycount (when installed; the ``dev`` extra has both), at the same
depth, between the bare burst and perfkit's, so that perfkit gates its own cost against
theirs. A peer's ratio is the median of its rounds' ratios to the same rounds' bare bursts;
it stores nothing, so its two modes time the same thing. How each is set up (zeal's ORM
patches are process-wide; querycount needs ``DEBUG=True``) is in ``conftest.py``.
"""

from __future__ import annotations

import functools
import statistics
import time
from collections.abc import Callable

import pytest

from perfkit.store import writer

VIEWS = {
    "no-query view (/ping/)": "/ping/",
    "51-query N+1 list (/stories/slow/)": "/stories/slow/",
    "cache-get view (/tags/)": "/tags/",
}

#: Requests per burst and rounds per view: 5-20 ms bursts where a request is short, and many
#: rounds where it is long, so every median rests on 60+ pairs; about ten seconds a view.
BURSTS = {"/ping/": 50, "/stories/slow/": 10, "/tags/": 50}
ROUNDS = {"/ping/": 200, "/stories/slow/": 60, "/tags/": 100}

#: Depths a round may run at: a small frame is ~128 bytes, so 128 of them span a 16 KiB chunk.
DEPTHS = 128


def burst(get: Callable[[str], bytes], path: str) -> bytes:
    for _ in range(BURSTS[path]):
        body = get(path)
    return body


def timed(run: Callable[[], object], into: list[float], depth: int) -> None:
    """Time ``run()`` from ``depth`` frames below here."""
    if depth:
        return timed(run, into, depth - 1)
    started = time.perf_counter()
    run()
    into.append(time.perf_counter() - started)
    return None


@pytest.mark.parametrize("group", VIEWS)
@pytest.mark.parametrize("mode", ["latency", "persisted"])
def test_request(benchmark, bare, recorded, peers, mode: str, group: str) -> None:
    path = VIEWS[group]
    benchmark.group = mode
    benchmark.name = f"{mode}: {group}"
    bare_times: list[float] = []
    recorded_times: list[float] = []
    peer_times: dict[str, list[float]] = {name: [] for name in peers}

    def bare_burst() -> tuple[tuple[int], dict]:
        depth = len(bare_times) * 37 % DEPTHS
        assert writer.flush(timeout=60)
        timed(lambda: burst(bare, path), bare_times, depth)
        for name, peer in peers.items():
            with peer.settings():
                timed(functools.partial(burst, peer.get, path), peer_times[name], depth)
        return (depth,), {}

    def recorded_burst(depth: int) -> None:
        if mode == "latency":
            timed(lambda: burst(recorded, path), recorded_times, depth)
        else:
            timed(lambda: (burst(recorded, path), writer.flush(timeout=60)), recorded_times, depth)

    bare(path), recorded(path)
    for peer in peers.values():
        with peer.settings():
            peer.get(path)
    benchmark.pedantic(recorded_burst, setup=bare_burst, rounds=ROUNDS[path])

    benchmark.extra_info.update(
        bare_us=per_request(bare_times, path),
        recorded_us=per_request(recorded_times, path),
        ratio=median_ratio(recorded_times, bare_times),
        peers={
            name: [per_request(times, path), median_ratio(times, bare_times)]
            for name, times in peer_times.items()
        },
    )
    assert writer.stats()["dropped"] == 0
    assert recorded(path) == bare(path)
    for peer in peers.values():
        with peer.settings():
            assert peer.get(path) == bare(path)


def per_request(times: list[float], path: str) -> float:
    """The median burst's time per request, in µs."""
    return statistics.median(times) * 1e6 / BURSTS[path]


def median_ratio(times: list[float], bare_times: list[float]) -> float:
    """The median of the rounds' ratios to the same rounds' bare bursts."""
    return statistics.median(t / b for t, b in zip(times, bare_times, strict=True))
