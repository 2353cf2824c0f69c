"""The bench's memory ceiling: a runaway allocation fails inside the request, not the run."""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

from perfkit.bench import memory
from perfkit.bench.failures import explain


def test_an_allocation_past_the_ceiling_raises_and_the_limit_is_restored() -> None:
    before = resource.getrlimit(resource.RLIMIT_AS)
    with memory.capped() as limit:
        assert limit is not None and limit == memory.ceiling()
        assert resource.getrlimit(resource.RLIMIT_AS)[0] == limit
        with pytest.raises(MemoryError):
            bytearray(limit)
        assert len(bytearray(1 << 20)) == 1 << 20  # the run goes on
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_a_lower_limit_already_set_is_kept() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = memory.ceiling()
    assert ceiling is not None
    lower = ceiling // 2
    resource.setrlimit(resource.RLIMIT_AS, (lower, hard))
    try:
        with memory.capped() as limit:
            assert limit == lower
            assert resource.getrlimit(resource.RLIMIT_AS)[0] == lower
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def test_a_view_out_of_memory_is_explained_as_such(tmp_path: Path) -> None:
    line = explain(MemoryError(), tmp_path)
    assert line.startswith("MemoryError (the view asked for more than 75% of this machine")
