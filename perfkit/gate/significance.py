"""The statistical check: is a view slower, by more than the minimum effect, with confidence?"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from perfkit.gate import findings as F
from perfkit.gate.baseline import Baseline
from perfkit.gate.findings import Finding
from perfkit.quantiles import median

MIN_SAMPLES = 5
CONFIDENCE = 0.95
RESAMPLES = 2000


def _level(family: int) -> float:
    """The confidence level, widened (Bonferroni) for ``family`` views checked at once."""
    return 1 - (1 - CONFIDENCE) / max(1, family)


def _interval(data: tuple[Sequence[float], ...], statistic: Any) -> tuple[float, float, float]:
    """A percentile-bootstrap interval and its level."""
    from scipy.stats import bootstrap

    level = _level(1)
    result = bootstrap(
        data,
        statistic,
        paired=False,
        vectorized=False,
        n_resamples=RESAMPLES,
        confidence_level=level,
        method="percentile",
        rng=0,
    )
    interval = result.confidence_interval
    return float(interval.low), float(interval.high), level


def _median_interval(values: Sequence[float], family: int) -> tuple[float, float, float] | None:
    """A distribution-free interval for the median, or None when there are too few values.

    The k-th smallest and k-th largest of n values bracket the median with probability
    1 - 2·P(Binomial(n, ½) < k), whatever the distribution. (A bootstrap of five rounds claims
    far more: its lower bound is simply the smallest ratio, so one noisy view in forty fails.)
    """
    from scipy.stats import binom

    level = _level(family)
    ordered = sorted(values)
    n = len(ordered)
    k = 0
    while k < n // 2 and 1 - 2 * binom.cdf(k, n, 0.5) >= level:
        k += 1
    if k == 0:
        return None
    return ordered[k - 1], ordered[n - k], level


def rounds_needed(family: int) -> int:
    """Fewest paired rounds whose smallest and largest ratio reach the family-wide level."""
    return math.ceil(1 - math.log2(1 - _level(family)))


def _verdict(
    view: str, ratio: float, interval: tuple[float, float, float], min_effect: float, how: str
) -> Finding:
    low, high, level = interval
    text = f"{how}: ×{ratio:.3f} ({level:.1%} CI ×{low:.3f}–×{high:.3f})"
    if low > 1 + min_effect:
        message = f"slower {text}, beyond the {min_effect:.0%} minimum"
        return Finding(view, F.LATENCY, False, message)
    return Finding(view, F.LATENCY, True, text)


def unpaired(
    view: str, before: Sequence[float], after: Sequence[float], min_effect: float
) -> Finding:
    """Baseline samples against this run's: ratio of medians with a bootstrap interval."""
    if min(len(before), len(after)) < MIN_SAMPLES:
        return Finding(view, F.LATENCY, True, f"fewer than {MIN_SAMPLES} samples", skipped=True)

    def ratio(a: Sequence[float], b: Sequence[float]) -> float:
        return median(b) / median(a)

    interval = _interval((before, after), ratio)
    return _verdict(view, ratio(before, after), interval, min_effect, "median against baseline")


def paired(
    view: str,
    before: Sequence[float],
    after: Sequence[float],
    min_effect: float,
    family: int = 1,
) -> Finding:
    """Interleaved rounds (one median per side per round): median of the per-round ratios."""
    if len(before) != len(after) or len(before) < MIN_SAMPLES:
        return Finding(view, F.LATENCY, True, f"fewer than {MIN_SAMPLES} rounds", skipped=True)
    ratios = [b / a for a, b in zip(before, after, strict=True)]
    ratio = median(ratios)
    interval = _median_interval(ratios, family)
    if interval is None:
        level, needed = _level(family), rounds_needed(family)
        message = (
            f"paired rounds: ×{ratio:.3f}; {len(ratios)} rounds are too few for a {level:.1%} CI"
            f" over {family} view(s): take {needed} or more"
        )
        return Finding(view, F.LATENCY, True, message, skipped=True)
    return _verdict(view, ratio, interval, min_effect, "paired rounds")


def compare(base: Baseline, current: Baseline, min_effect: float) -> list[Finding]:
    """Unpaired latency findings for views measured at the same largest size on both sides."""
    found = []
    for view in sorted(base.latency_ms):
        old = base.latency_ms[view]
        new = current.latency_ms.get(view, {})
        sizes = [s for s in old if s in new]
        if not sizes:
            continue
        size = max(sizes, key=lambda s: (s.isdigit(), int(s) if s.isdigit() else 0))
        found.append(unpaired(view, old[size], new[size], min_effect))
    return found
