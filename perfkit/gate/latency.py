"""The statistical check: is a view slower, by more than the minimum effect, with confidence?"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from perfkit.gate import findings as F
from perfkit.gate.findings import Finding

MIN_SAMPLES = 5
CONFIDENCE = 0.95
RESAMPLES = 2000


def _interval(
    data: tuple[Sequence[float], ...], statistic: Any, paired: bool
) -> tuple[float, float]:
    from scipy.stats import bootstrap

    result = bootstrap(
        data,
        statistic,
        paired=paired,
        vectorized=False,
        n_resamples=RESAMPLES,
        confidence_level=CONFIDENCE,
        method="percentile",
        rng=0,
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def _verdict(
    view: str, ratio: float, low: float, high: float, min_effect: float, how: str
) -> Finding:
    text = f"{how}: ×{ratio:.3f} (95% CI ×{low:.3f}–×{high:.3f})"
    if low > 1 + min_effect:
        return Finding(
            view, F.LATENCY, False, f"slower {text}, beyond the {min_effect:.0%} minimum"
        )
    return Finding(view, F.LATENCY, True, text)


def unpaired(
    view: str, before: Sequence[float], after: Sequence[float], min_effect: float
) -> Finding:
    """Baseline samples against this run's: ratio of medians with a bootstrap interval."""
    if min(len(before), len(after)) < MIN_SAMPLES:
        return Finding(view, F.LATENCY, True, f"fewer than {MIN_SAMPLES} samples", skipped=True)

    def ratio(a: Sequence[float], b: Sequence[float]) -> float:
        return statistics.median(b) / statistics.median(a)

    low, high = _interval((before, after), ratio, paired=False)
    return _verdict(
        view, ratio(before, after), low, high, min_effect, "median against the baseline"
    )


def paired(
    view: str, before: Sequence[float], after: Sequence[float], min_effect: float
) -> Finding:
    """Interleaved rounds (one median per side per round): median of the per-round ratios."""
    if len(before) != len(after) or len(before) < MIN_SAMPLES:
        return Finding(view, F.LATENCY, True, f"fewer than {MIN_SAMPLES} rounds", skipped=True)
    ratios = [b / a for a, b in zip(before, after, strict=True)]
    low, high = _interval((ratios,), statistics.median, paired=False)
    return _verdict(view, statistics.median(ratios), low, high, min_effect, "paired rounds")


def compare(base: dict[str, Any], current: dict[str, Any], min_effect: float) -> list[Finding]:
    """Unpaired latency findings for views measured at the same largest size on both sides."""
    found = []
    for view in sorted(base.get("latency_ms", {})):
        old = base["latency_ms"][view]
        new = current.get("latency_ms", {}).get(view, {})
        sizes = [s for s in old if s in new]
        if not sizes:
            continue
        size = max(sizes, key=lambda s: (s.isdigit(), int(s) if s.isdigit() else 0))
        found.append(unpaired(view, old[size], new[size], min_effect))
    return found
