"""The one percentile: linear between closest ranks, as statistics.quantiles and median."""

from __future__ import annotations

import math
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfkit.quantiles import median, percentile

samples = st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=60)


def test_exact_values() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5
    assert percentile([7.25], 95) == 7.25
    assert percentile([1.0, 2.0], 0) == 1.0 and percentile([1.0, 2.0], 100) == 2.0
    assert math.isnan(percentile([], 50)) and math.isnan(median([]))


@given(samples, st.integers(1, 99))
def test_agrees_with_statistics_quantiles_inclusive(values: list[float], q: int) -> None:
    expected = statistics.quantiles(values, n=100, method="inclusive")[q - 1]
    assert percentile(values, q) == pytest.approx(expected, rel=1e-9, abs=1e-6)


@given(samples)
def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two(values: list[float]) -> None:
    assert median(values) == pytest.approx(statistics.median(values), rel=1e-9, abs=1e-6)


def test_a_percentile_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="not between 0 and 100"):
        percentile([1.0], 101)
