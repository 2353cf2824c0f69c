"""The O(n) verdict: query count fitted against data size, and N+1 on a full page."""

from __future__ import annotations

import statistics

from perfkit.analysis.model import Fit

#: A slope below this many queries per row is noise from the fit, not growth.
MIN_SLOPE = 0.01
LINEAR = "O(n)"
PER_PAGE = "O(n) per page"
CONSTANT = "O(1)"


def fit(points: list[tuple[int, int]], has_n_plus_one: bool) -> Fit | None:
    """Least-squares fit over (size, worst query count); None with fewer than two sizes.

    A paginated list stops growing once its page is full, so a flat count with a per-row
    N+1 group is still O(n) per page rather than fine.
    """
    points = sorted(points)
    if len({size for size, _ in points}) < 2:
        return None
    slope, intercept = statistics.linear_regression(
        [size for size, _ in points], [count for _, count in points]
    )
    slope, intercept = round(slope, 6), round(intercept, 6)
    if slope > MIN_SLOPE:
        verdict = LINEAR
    elif has_n_plus_one:
        verdict = PER_PAGE
    else:
        verdict = CONSTANT
    return Fit(intercept=intercept, slope=slope, points=points, verdict=verdict)
