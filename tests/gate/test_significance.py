"""The statistical latency check: an A/A never fails; a real slowdown does."""

from __future__ import annotations

import io
import random

import pytest
from rich.console import Console

from perfkit.gate.counts import Policy
from perfkit.gate.evaluate import evaluate
from perfkit.gate.significance import compare, paired, rounds_needed, unpaired
from perfkit.renderers import gate_terminal
from tests.gate.factories import baseline


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
    base, current = baseline(), baseline()
    base.latency_ms = {"v": {"10": samples(1), "50": samples(2)}}
    current.latency_ms = {"v": {"10": samples(3), "50": samples(4, scale=2.0)}}
    (finding,) = compare(base, current, 0.10)
    assert not finding.passed


def test_five_unlucky_rounds_of_forty_views_are_too_few_to_fail() -> None:
    """All five rounds 11-20% slower: a bootstrap's bound was the smallest ratio, 1.11."""
    before = [10.0, 11.0, 9.5, 10.2, 10.8]
    after = [b * r for b, r in zip(before, [1.12, 1.15, 1.11, 1.2, 1.13], strict=True)]
    finding = paired("v", before, after, 0.10, family=40)
    assert finding.passed and finding.skipped
    assert "5 rounds are too few for a 99.9% CI over 40 view(s): take 11 or more" in finding.message
    assert rounds_needed(40) == 11


def test_the_interval_brackets_the_median_by_order_statistics() -> None:
    before = [10.0] * 12
    ratios = [1.05, 1.30, 1.31, 1.32, 1.33, 1.34, 1.35, 1.36, 1.37, 1.38, 1.39, 1.40]
    finding = paired("v", before, [10.0 * r for r in ratios], 0.10)
    # n = 12 at 95%: the 3rd smallest and 3rd largest (coverage 1 - 2·P(Bin(12, ½) <= 2) = 96.1%).
    assert "(95.0% CI ×1.310–×1.380)" in finding.message
    assert not finding.passed


def test_too_few_rounds_say_so_on_the_console_with_the_rounds_needed() -> None:
    base = baseline()
    rounds = {"shop:items": ([10.0, 11.0, 9.5, 10.2, 10.8], [10.1, 11.0, 9.4, 10.3, 10.7])}
    result = evaluate(base, base, Policy(), rounds)
    console = Console(width=200, record=True, file=io.StringIO())
    gate_terminal.render(result, console)
    text = console.export_text()
    assert "latency not gated for 1 of 1 view(s): paired rounds:" in text
    assert f"take {rounds_needed(1)} or more" in text
