"""Median and range of repeated measurements."""

from __future__ import annotations

from collections.abc import Iterable

from perfkit.latency.measurements import Summary
from perfkit.quantiles import median


def summarise(values: Iterable[float | None]) -> Summary | None:
    """The median, lowest and highest of the values present; None when there are none."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    return Summary(median(present), min(present), max(present), len(present))


def summaries(rows: dict[str, Iterable[float | None]]) -> dict[str, Summary]:
    """``summarise`` for each named measurement, leaving out the ones never measured."""
    found = {name: summarise(values) for name, values in rows.items()}
    return {name: s for name, s in found.items() if s is not None}
