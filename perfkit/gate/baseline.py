"""Baselines: a stable, reviewable JSON of what a bench run measured, and the machine it ran on."""

from __future__ import annotations

import hashlib
import json
import os
import platform
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from perfkit import __version__, labels, output
from perfkit.analysis.report import Report
from perfkit.errors import BaselineError
from perfkit.recording import Recording

FORMAT = "perfkit-baseline/1"


def environment() -> dict[str, Any]:
    """What latency depends on: the machine and the software versions."""
    import django

    cpu = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            cpu = next(
                (line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), ""
            )
    except OSError:
        cpu = platform.processor()
    env = {
        "cores": os.cpu_count() or 0,
        "cpu": cpu,
        "django": django.get_version(),
        "machine": platform.machine(),
        "perfkit": __version__,
        "python": platform.python_version(),
        "system": platform.system(),
    }
    env["fingerprint"] = hashlib.blake2b(
        json.dumps(env, sort_keys=True).encode(), digest_size=8
    ).hexdigest()
    return env


def build(report: Report, recordings: Iterable[Recording]) -> dict[str, Any]:
    """The baseline of one bench run: counts and fingerprints gate; latency samples inform."""
    by_view_size: dict[tuple[str, str], list[Recording]] = defaultdict(list)
    for recording in recordings:
        if labels.measured(recording.labels):
            size = recording.labels.get(labels.SIZE) or "all"
            by_view_size[(recording.view, size)].append(recording)
    views: dict[str, Any] = {}
    latency: dict[str, Any] = {}
    for view in report.views:
        sizes = {}
        for stats in view.sizes:
            group = by_view_size.get((view.view, stats.size), [])
            sizes[stats.size] = {
                "queries": stats.queries_max,
                "fingerprints": _fingerprints(group),
                "cache_hit_ratio": (
                    round(stats.cache_hit_ratio, 4) if stats.cache_hit_ratio is not None else None
                ),
            }
            latency.setdefault(view.view, {})[stats.size] = sorted(
                round(r.wall_ms, 3) for r in group
            )
        views[view.view] = {
            "sizes": sizes,
            "verdict": view.fit.verdict if view.fit else None,
            "n_plus_one": {
                g.fingerprint: {"callsite": g.callsite, "sql": g.sql} for g in view.n_plus_one
            },
        }
    return {
        "format": FORMAT,
        "environment": environment(),
        "views": views,
        "latency_ms": latency,
    }


def _fingerprints(group: list[Recording]) -> dict[str, Any]:
    """Each fingerprint with its SQL, the most times one request ran it, and where from."""
    found: dict[str, dict[str, Any]] = {}
    for recording in group:
        counts: dict[str, int] = defaultdict(int)
        for query in recording.queries:
            counts[query.fingerprint] += 1
            found.setdefault(
                query.fingerprint, {"sql": query.sql, "callsite": query.callsite, "count": 0}
            )
        for fingerprint, count in counts.items():
            found[fingerprint]["count"] = max(found[fingerprint]["count"], count)
    return dict(sorted(found.items()))


def dumps(baseline: dict[str, Any]) -> str:
    return json.dumps(baseline, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def save(baseline: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(path, dumps(baseline))


def load(path: Path) -> dict[str, Any]:
    """Read and check a baseline file; BaselineError names the file and the problem."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise BaselineError(
            f"{path}: no such file; create it with perfkit bench --save-baseline"
        ) from None
    except (OSError, ValueError) as error:
        raise BaselineError(f"{path}: not a readable JSON baseline ({error})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BaselineError(f'{path}: not a perfkit baseline (expected "format": "{FORMAT}")')
    if not isinstance(data.get("views"), dict):
        raise BaselineError(f'{path}: the baseline has no "views" object')
    for view, entry in data["views"].items():
        problem = _view_problem(entry)
        if problem:
            raise BaselineError(
                f"{path}: view {view!r} {problem}; save the baseline again with "
                "perfkit bench --save-baseline"
            )
    if not isinstance(data.get("latency_ms", {}), dict):
        raise BaselineError(f'{path}: "latency_ms" is not an object')
    return data


def _view_problem(entry: Any) -> str | None:
    """What is wrong with one view of a baseline, or None: gate and diff read every key."""
    if not isinstance(entry, dict) or not isinstance(entry.get("sizes"), dict):
        return 'has no "sizes" object'
    if not isinstance(entry.get("n_plus_one", {}), dict):
        return 'has an "n_plus_one" that is not an object'
    for size, numbers in entry["sizes"].items():
        if not isinstance(numbers, dict):
            return f"size {size!r} is not an object"
        if not isinstance(numbers.get("queries"), int) or isinstance(numbers["queries"], bool):
            return f'size {size!r} has no whole "queries" count'
        fingerprints = numbers.get("fingerprints", {})
        if not isinstance(fingerprints, dict) or not all(
            isinstance(f, dict) and isinstance(f.get("count"), int) for f in fingerprints.values()
        ):
            return f'size {size!r} has "fingerprints" that are not objects with a "count"'
        ratio = numbers.get("cache_hit_ratio")
        if ratio is not None and not isinstance(ratio, int | float):
            return f'size {size!r} has a "cache_hit_ratio" that is not a number'
    return None
