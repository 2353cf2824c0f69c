"""The O(n) verdict: query count fitted against data size, and N+1 on a full page."""

from __future__ import annotations

import statistics

from perfkit.analysis.report import Fit

#: A slope below this many queries per row is noise from the fit, not growth.
MIN_SLOPE = 0.01
#: Without a per-row group, growth is a rise of at least this many queries from the smallest
#: size to the largest: one or two more (healthchecks' rate-limit row that exists or not, a
#: menu that gains its first entry) are a step, not a query per row.
MIN_RISE = 3
LINEAR = "O(n)"
PER_PAGE = "O(n) per page"
CONSTANT = "O(1)"


def fit(points: list[tuple[int, int]], has_n_plus_one: bool) -> Fit | None:
    """Least-squares fit over (size, worst query count); None with fewer than two sizes.

    A paginated list stops growing once its page is full, so a flat count with a per-row
    N+1 group is still O(n) per page rather than fine. Without one, a rise smaller than
    :data:`MIN_RISE` is a step, O(1).
    """
    points = sorted(points)
    if len({size for size, _ in points}) < 2:
        return None
    slope, intercept = statistics.linear_regression(
        [size for size, _ in points], [count for _, count in points]
    )
    slope, intercept = round(slope, 6), round(intercept, 6)
    rise = points[-1][1] - points[0][1]
    if slope > MIN_SLOPE and (has_n_plus_one or rise >= MIN_RISE):
        verdict = LINEAR
    elif has_n_plus_one:
        verdict = PER_PAGE
    else:
        verdict = CONSTANT
    return Fit(intercept=intercept, slope=slope, points=points, verdict=verdict)
