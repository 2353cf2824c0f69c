"""Baselines: a stable, reviewable JSON of what a bench run measured, and the machine it ran on.

A ``Baseline`` is the typed form of the file. ``Baseline.from_json`` checks what the gate and
the diff read and refuses anything else with a BaselineError naming the file; ``dumps`` writes
it back (sorted keys, indent 2, UTF-8). ``FORMAT`` versions the file: a baseline of a
later version is refused with a hint to upgrade, never misread.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypedDict, TypeVar, cast

from perfkit import __version__, labels, output
from perfkit.analysis.report import FULL_SCAN, UNINDEXED_SORT, Report
from perfkit.errors import BaselineError
from perfkit.recording import Recording

VERSION = 1
FORMAT = f"perfkit-baseline/{VERSION}"
_VERSIONED = re.compile(r"perfkit-baseline/([1-9][0-9]*)")
_SAVE_AGAIN = "save the baseline again with perfkit bench --save-baseline"
_T = TypeVar("_T")


class Environment(TypedDict, total=False):
    """What latency depends on; ``fingerprint`` hashes the rest. Kept as the file has it."""

    cores: int
    cpu: str
    django: str
    machine: str
    perfkit: str
    python: str
    system: str
    fingerprint: str


@dataclass
class Fingerprint:
    """One query shape at one size: the most times one request ran it, its SQL, and where from.

    ``sql`` and ``callsite`` are None only in a file that left them out (perfkit writes both).
    """

    count: int
    sql: str | None = None
    callsite: str | None = None


@dataclass
class Size:
    """One view at one data size: the gated numbers."""

    queries: int
    fingerprints: dict[str, Fingerprint] = field(default_factory=dict)
    cache_hit_ratio: float | None = None


@dataclass
class NPlusOne:
    """A query repeated per row, by its fingerprint in ``View.n_plus_one``."""

    sql: str | None = None
    callsite: str | None = None


@dataclass
class NPlusOneCall:
    """An outbound HTTP call repeated per row, by its call (``GET host/path``) in
    ``View.n_plus_one_calls``: how many times one request made it, and where from."""

    count: int
    callsite: str | None = None


@dataclass
class FullScan:
    """A full scan or a sort no index serves, by its key (``full_scan catalog_review(reader)``)
    in ``View.full_scans``: the statement, where it runs, and the index to add."""

    sql: str | None = None
    callsite: str | None = None
    index: str | None = None


@dataclass
class UnusedEagerLoad:
    """An eager load whose rows the view never read, by its lookup and model
    (``select_related("member") on catalog.Loan``) in ``View.unused_eager_loads``: the line
    that asked for it, and the fix. Keyed so, a line that moves is the same finding."""

    callsite: str | None = None
    fix: str | None = None


@dataclass
class View:
    """One view: its sizes, how its query count grows, its N+1 groups and N+1 API calls, and
    the full scans its plans showed (``perfkit bench --explain``) and its unused eager loads."""

    sizes: dict[str, Size]
    verdict: str | None = None
    n_plus_one: dict[str, NPlusOne] = field(default_factory=dict)
    n_plus_one_calls: dict[str, NPlusOneCall] = field(default_factory=dict)
    full_scans: dict[str, FullScan] = field(default_factory=dict)
    unused_eager_loads: dict[str, UnusedEagerLoad] = field(default_factory=dict)


@dataclass
class Baseline:
    """A bench run as the gate compares it: counts gate, latency samples (ms) inform."""

    environment: Environment
    views: dict[str, View]
    latency_ms: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    def same_environment(self, other: Baseline) -> bool:
        """Whether both runs had the same machine and software, so latency is comparable."""
        return self.environment.get("fingerprint") == other.environment.get("fingerprint")

    def to_json(self) -> dict[str, Any]:
        """The file's form; a view without N+1 API calls or unused eager loads leaves those
        keys out, so a project that has none keeps the bytes of its committed baseline."""
        data = {"format": FORMAT, **asdict(self)}
        for view in data["views"].values():
            for optional in ("n_plus_one_calls", "full_scans", "unused_eager_loads"):
                if not view[optional]:
                    del view[optional]
        return data

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, data: Any, path: Path) -> Baseline:
        """Check parsed JSON and type it; a BaselineError names ``path`` and the problem.

        What the checks let a file leave out reads as empty (``n_plus_one``,
        ``n_plus_one_calls``, ``full_scans``, ``unused_eager_loads``, ``fingerprints``,
        ``latency_ms``, ``environment``) or None (``verdict``, ``cache_hit_ratio``): a baseline
        saved before a check existed still reads.
        """
        written = data.get("format") if isinstance(data, dict) else None
        version = _VERSIONED.fullmatch(written) if isinstance(written, str) else None
        if version and int(version[1]) > VERSION:
            raise BaselineError(
                f"{path}: the baseline was written by a newer perfkit "
                f"(format {version[1]}); upgrade perfkit"
            )
        if written != FORMAT:
            raise BaselineError(f'{path}: not a perfkit baseline (expected "format": "{FORMAT}")')
        if not isinstance(data.get("views"), dict):
            raise BaselineError(f'{path}: the baseline has no "views" object')
        views = {name: _checked(path, name, _view, entry) for name, entry in data["views"].items()}
        latency = data.get("latency_ms", {})
        if not isinstance(latency, dict):
            raise BaselineError(f'{path}: "latency_ms" is not an object')
        environment = data.get("environment", {})
        if not isinstance(environment, dict):
            raise BaselineError(f'{path}: "environment" is not an object')
        return cls(
            environment=cast(Environment, environment),
            views=views,
            latency_ms={
                name: _checked(path, name, _samples, sizes) for name, sizes in latency.items()
            },
        )


class _Malformed(Exception):
    """What is wrong with one view's entry, worded to follow "view 'name'"."""


def _checked(path: Path, view: str, read: Callable[[Any], _T], entry: Any) -> _T:
    """``read(entry)``, with a _Malformed problem as a BaselineError naming the file and view."""
    try:
        return read(entry)
    except _Malformed as problem:
        raise BaselineError(f"{path}: view {view!r} {problem}; {_SAVE_AGAIN}") from None


def _view(entry: Any) -> View:
    if not isinstance(entry, dict) or not isinstance(entry.get("sizes"), dict):
        raise _Malformed('has no "sizes" object')
    groups = entry.get("n_plus_one", {})
    if not isinstance(groups, dict):
        raise _Malformed('has an "n_plus_one" that is not an object')
    calls = entry.get("n_plus_one_calls", {})
    if not isinstance(calls, dict) or not all(
        isinstance(c, dict) and _whole(c.get("count")) for c in calls.values()
    ):
        raise _Malformed('has "n_plus_one_calls" that are not objects with a "count"')
    scans = entry.get("full_scans", {})
    if not isinstance(scans, dict) or not all(isinstance(s, dict) for s in scans.values()):
        raise _Malformed('has "full_scans" that are not objects')
    loads = entry.get("unused_eager_loads", {})
    if not isinstance(loads, dict) or not all(isinstance(u, dict) for u in loads.values()):
        raise _Malformed('has "unused_eager_loads" that are not objects')
    sizes = {size: _size(size, numbers) for size, numbers in entry["sizes"].items()}
    return View(
        sizes=sizes,
        verdict=entry.get("verdict"),
        n_plus_one={fp: _group(fp, group) for fp, group in groups.items()},
        n_plus_one_calls={
            call: NPlusOneCall(count=c["count"], callsite=c.get("callsite"))
            for call, c in calls.items()
        },
        full_scans={
            key: FullScan(sql=s.get("sql"), callsite=s.get("callsite"), index=s.get("index"))
            for key, s in scans.items()
        },
        unused_eager_loads={
            lookup: UnusedEagerLoad(callsite=u.get("callsite"), fix=u.get("fix"))
            for lookup, u in loads.items()
        },
    )


def _group(fingerprint: str, group: Any) -> NPlusOne:
    if not isinstance(group, dict):
        raise _Malformed(f'has an "n_plus_one" group {fingerprint!r} that is not an object')
    return NPlusOne(sql=group.get("sql"), callsite=group.get("callsite"))


def _size(size: str, numbers: Any) -> Size:
    if not isinstance(numbers, dict):
        raise _Malformed(f"size {size!r} is not an object")
    if not _whole(numbers.get("queries")):
        raise _Malformed(f'size {size!r} has no whole "queries" count')
    fingerprints = numbers.get("fingerprints", {})
    if not isinstance(fingerprints, dict) or not all(
        isinstance(f, dict) and _whole(f.get("count")) for f in fingerprints.values()
    ):
        raise _Malformed(f'size {size!r} has "fingerprints" that are not objects with a "count"')
    ratio = numbers.get("cache_hit_ratio")
    if ratio is not None and not isinstance(ratio, int | float):
        raise _Malformed(f'size {size!r} has a "cache_hit_ratio" that is not a number')
    return Size(
        queries=numbers["queries"],
        fingerprints={
            fp: Fingerprint(count=f["count"], sql=f.get("sql"), callsite=f.get("callsite"))
            for fp, f in fingerprints.items()
        },
        cache_hit_ratio=ratio,
    )


def _samples(sizes: Any) -> dict[str, list[float]]:
    if not isinstance(sizes, dict):
        raise _Malformed('has "latency_ms" that is not an object')
    for size, samples in sizes.items():
        if not isinstance(samples, list) or not all(_number(s) for s in samples):
            raise _Malformed(f'size {size!r} has "latency_ms" that are not a list of numbers')
    return sizes


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def environment() -> Environment:
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
    env: Environment = {
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


def build(report: Report, recordings: Iterable[Recording]) -> Baseline:
    """The baseline of one bench run: counts and fingerprints gate; latency samples inform."""
    by_view_size: dict[tuple[str, str], list[Recording]] = defaultdict(list)
    for recording in recordings:
        if labels.measured(recording.labels):
            size = recording.labels.get(labels.SIZE) or "all"
            by_view_size[(recording.view, size)].append(recording)
    views: dict[str, View] = {}
    latency: dict[str, dict[str, list[float]]] = {}
    scans = _full_scans(report)
    for view in report.views:
        sizes = {}
        for stats in view.sizes:
            group = by_view_size.get((view.view, stats.size), [])
            sizes[stats.size] = Size(
                queries=stats.queries_max,
                fingerprints=_fingerprints(group),
                cache_hit_ratio=(
                    round(stats.cache_hit_ratio, 4) if stats.cache_hit_ratio is not None else None
                ),
            )
            latency.setdefault(view.view, {})[stats.size] = sorted(
                round(r.wall_ms, 3) for r in group
            )
        views[view.view] = View(
            sizes=sizes,
            verdict=view.fit.verdict if view.fit else None,
            n_plus_one={
                g.fingerprint: NPlusOne(sql=g.sql, callsite=g.callsite) for g in view.n_plus_one
            },
            n_plus_one_calls={
                c.call(): NPlusOneCall(count=c.count, callsite=c.callsite)
                for c in view.n_plus_one_calls
            },
            full_scans=scans.get(view.view, {}),
            unused_eager_loads={
                f"{u.call()} on {u.model}": UnusedEagerLoad(callsite=u.callsite, fix=u.fix)
                for u in view.unused_eager_loads
            },
        )
    return Baseline(environment=environment(), views=views, latency_ms=latency)


def _full_scans(report: Report) -> dict[str, dict[str, FullScan]]:
    """Each view's full scans and unindexed sorts, from statements chosen by counts (an N+1
    group, growth): a choice by DB time alone depends on timing, and the gate must not."""
    found: dict[str, dict[str, FullScan]] = defaultdict(dict)
    for statement in report.explained:
        if not statement.gated:
            continue
        for finding in statement.findings:
            if finding.kind not in (FULL_SCAN, UNINDEXED_SORT):
                continue
            key = f"{finding.kind} {finding.table}({', '.join(finding.fields)})"
            for view in statement.views:
                found[view].setdefault(
                    key, FullScan(statement.sql, statement.callsite, finding.index)
                )
    return {view: dict(sorted(scans.items())) for view, scans in found.items()}


def _fingerprints(group: list[Recording]) -> dict[str, Fingerprint]:
    """Each fingerprint with its SQL, the most times one request ran it, and where from."""
    found: dict[str, Fingerprint] = {}
    for recording in group:
        counts: dict[str, int] = defaultdict(int)
        for query in recording.queries:
            counts[query.fingerprint] += 1
            found.setdefault(
                query.fingerprint, Fingerprint(count=0, sql=query.sql, callsite=query.callsite)
            )
        for fingerprint, count in counts.items():
            found[fingerprint].count = max(found[fingerprint].count, count)
    return dict(sorted(found.items()))


def save(baseline: Baseline, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(path, baseline.dumps())


def load(path: Path) -> Baseline:
    """Read and check a baseline file; BaselineError names the file and the problem."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise BaselineError(
            f"{path}: no such file; create it with perfkit bench --save-baseline"
        ) from None
    except (OSError, ValueError) as error:
        raise BaselineError(f"{path}: not a readable JSON baseline ({error})") from None
    return Baseline.from_json(data, path)
