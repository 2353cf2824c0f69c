"""The statistical latency check: an A/A never fails; a real slowdown does."""

from __future__ import annotations

import random

import pytest

from perfkit.gate.latency import compare, paired, unpaired


def samples(seed: int, scale: float = 1.0, n: int = 15) -> list[float]:
    rng = random.Random(seed)
    return [scale * rng.lognormvariate(1.0, 0.25) for _ in range(n)]


@pytest.mark.parametrize("seed", range(8))
def test_a_over_a_passes(seed: int) -> None:
    finding = unpaired("v", samples(seed), samples(seed + 100), 0.10)
    assert finding.passed and not finding.skipped


def test_a_large_slowdown_fails_with_its_interval() -> None:
    finding = unpaired("v", samples(1), samples(2, scale=1.5), 0.10)
    assert not finding.passed
    assert "slower median against baseline: ×1." in finding.message
    assert "95.0% CI" in finding.message


def test_a_slowdown_below_the_minimum_effect_passes() -> None:
    assert unpaired("v", samples(1, n=60), samples(2, scale=1.04, n=60), 0.10).passed


def test_paired_rounds() -> None:
    before = [10.0, 11.0, 9.5, 10.2, 10.8, 9.9]
    assert paired("v", before, [x * 1.02 for x in before], 0.10).passed
    slow = paired("v", before, [x * 1.3 for x in before], 0.10)
    assert not slow.passed and "paired rounds: ×1.300" in slow.message
    wide = paired("v", before, [x * 1.3 for x in before], 0.10, family=20)
    assert "99.8% CI" in wide.message


def test_too_few_samples_are_skipped() -> None:
    assert unpaired("v", [1.0, 2.0], [1.0, 2.0], 0.1).skipped
    assert paired("v", [1.0] * 3, [1.0] * 3, 0.1).skipped


def test_compare_uses_the_largest_common_size() -> None:
    base = {"latency_ms": {"v": {"10": samples(1), "50": samples(2)}}}
    current = {"latency_ms": {"v": {"10": samples(3), "50": samples(4, scale=2.0)}}}
    (finding,) = compare(base, current, 0.10)
    assert not finding.passed
