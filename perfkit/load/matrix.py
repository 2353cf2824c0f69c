"""`--matrix key=a,b`: the same scenario on every combination of stack variants."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

from perfkit.errors import LoadError
from perfkit.load.result import LoadResult
from perfkit.stack.down import down
from perfkit.stack.options import CACHES, LIMITS, POOLERS, STORES, StackOptions
from perfkit.stack.state import StackState
from perfkit.stack.up import up

AXES: dict[str, tuple[str, Callable[[str], object]]] = {
    "cache": ("cache", str),
    "pooler": ("pooler", str),
    "store": ("store", str),
    "app-servers": ("app_servers", int),
    "workers": ("workers", int),
}
CHOICES = {"cache": CACHES, "pooler": POOLERS, "store": STORES}


def parse(specs: list[str]) -> list[tuple[str, list[str]]]:
    """``["cache=memcached,none", "app-servers=1,2"]`` → axes with their values, checked."""
    axes: list[tuple[str, list[str]]] = []
    for spec in specs:
        key, sep, values = spec.partition("=")
        key = key.strip()
        items = [v.strip() for v in values.split(",") if v.strip()]
        if not sep or key not in AXES or not items:
            raise LoadError(
                f"--matrix {spec!r} must be KEY=V1,V2 with KEY one of {', '.join(AXES)}"
            )
        for item in items:
            if key in CHOICES and item not in CHOICES[key]:
                raise LoadError(f"--matrix {key}={item!r}: choose from {', '.join(CHOICES[key])}")
            field, kind = AXES[key]
            if kind is int:
                low, high = LIMITS[field]
                if not item.isdigit() or not low <= int(item) <= high:
                    raise LoadError(
                        f"--matrix {key}={item!r}: must be a whole number from {low} to {high}"
                    )
        if any(key == k for k, _ in axes):
            raise LoadError(f"--matrix {key} is given twice")
        axes.append((key, items))
    return axes


def variants(
    base: StackOptions, axes: list[tuple[str, list[str]]]
) -> list[tuple[str, StackOptions]]:
    """Every combination, labelled like ``cache=none pooler=pgbouncer``."""
    found = []
    for combo in itertools.product(*(values for _, values in axes)):
        values = {}
        labels = []
        for (key, _), value in zip(axes, combo, strict=True):
            field, kind = AXES[key]
            values[field] = kind(value)
            labels.append(f"{key}={value}")
        found.append((" ".join(labels), base.with_values(port=0, **values)))
    return found


def run_matrix(
    base: StackOptions,
    axes: list[tuple[str, list[str]]],
    run_dir: Path,
    run_one: Callable[[StackState, str, Path], LoadResult],
    progress: Callable[[str], None],
) -> list[LoadResult]:
    """Start each variant's stack, run the scenario on it, stop it; results in order."""
    results = []
    for index, (label, options) in enumerate(variants(base, axes), start=1):
        variant_dir = run_dir / "matrix" / f"variant-{index}"
        progress(f"variant {label}: starting its stack")

        def report(text: str, label: str = label) -> None:
            progress(f"{label}: {text}")

        state = up(variant_dir, options, report)
        try:
            results.append(run_one(state, label, variant_dir / "load"))
        finally:
            down(state)
    return results
