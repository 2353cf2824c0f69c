"""Paired rounds: a burst of the baseline, then one of the measured side, their ratio per round."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def paired(
    benchmark,
    baseline: Callable[[], object],
    measured: Callable[[], object],
    rounds: int,
    per: int,
    prepare: Callable[[bool], object] = lambda measured: None,
) -> None:
    """``rounds`` of a timed ``baseline()`` burst then a timed ``measured()`` one; each side's
    ``prepare`` (untimed) runs before its burst."""
    base_times: list[float] = []
    measured_times: list[float] = []

    def run_baseline() -> tuple[tuple[()], dict[str, object]]:
        prepare(False)
        started = time.perf_counter()
        baseline()
        base_times.append(time.perf_counter() - started)
        prepare(True)
        return (), {}

    def run_measured() -> None:
        started = time.perf_counter()
        measured()
        measured_times.append(time.perf_counter() - started)

    benchmark.pedantic(run_measured, setup=run_baseline, rounds=rounds)
    ratios = [m / b for m, b in zip(measured_times, base_times, strict=True)]
    benchmark.extra_info.update(
        bare_us=statistics.median(base_times) * 1e6 / per,
        recorded_us=statistics.median(measured_times) * 1e6 / per,
        ratio=statistics.median(ratios),
    )
