"""The labels ``perfkit bench`` puts on its recordings, named once for every reader.

A bench request carries the data size it ran at, its phase (only ``measure`` requests are
analysed), the bench target (a route, filled in), the persona that requested it and, for
measured requests, whether the caches were cleared before it. Recordings from a live site
carry none of them: they count as measured, at one unnamed size. Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping

SIZE = "size"
PHASE = "phase"
TARGET = "target"
PERSONA = "persona"
CACHE = "cache"

#: The phases: requests not measured (warm-up, the login probe, the profiler's) are left out.
MEASURE, WARMUP, PROBE, PROFILE = "measure", "warmup", "probe", "profile"

#: The ``cache`` label of a bench request: the first measured one at each size runs with every
#: cache alias cleared (``cold``), so per-row work a cache hides is seen; the rest ``warm``.
COLD, WARM = "cold", "warm"


def bench(size: int, phase: str, target: str) -> dict[str, str]:
    """The labels of one bench request."""
    return {SIZE: str(size), PHASE: phase, TARGET: target_label(target)}


def target_label(target: str) -> str:
    """A bench target as recordings and reports name it: its path, with the values of any
    query string blanked (``/search/?q=…``), since perfkit keeps no query string's values."""
    path, mark, query = target.partition("?")
    if not mark:
        return target
    names = [part.partition("=")[0] for part in query.split("&") if part]
    return path + "?" + "&".join(f"{name}=…" for name in names)


def measured(labels: Mapping[str, str]) -> bool:
    """True for a measured request, and for every request of a live site (no phase label)."""
    return labels.get(PHASE, MEASURE) == MEASURE
