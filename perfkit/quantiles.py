"""Percentiles and medians: the one definition every report, gate and load run uses.

Linear interpolation between the closest ranks (the "inclusive" method of
``statistics.quantiles``, numpy's default), so the median of an even count is the mean of
the middle two, as ``statistics.median`` has it. Standard library only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable


def percentile(values: Iterable[float], q: float) -> float:
    """The ``q``-th percentile (0 to 100) of ``values``; NaN when there are none."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q!r} is not between 0 and 100")
    position = (len(ordered) - 1) * q / 100.0
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Iterable[float]) -> float:
    """The 50th percentile; NaN when there are no values."""
    return percentile(values, 50)
