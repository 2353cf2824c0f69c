"""The deterministic checks: exact query counts, fingerprints, N+1 groups and API calls, unused
eager loads, O(n), cache hits, full scans."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from perfkit.gate import findings as F
from perfkit.gate.baseline import Baseline, Fingerprint, Size, View
from perfkit.gate.findings import Finding

T = TypeVar("T")


@dataclass
class Policy:
    """How strict the count checks are: ``exact`` or ``max`` (with per-view allowances)."""

    mode: str = "exact"
    allowances: dict[str, int] = field(default_factory=dict)
    hit_ratio_drop: float = 0.0
    min_effect: float = 0.10


def compare(base: Baseline, current: Baseline, policy: Policy) -> list[Finding]:
    """Every deterministic finding, one per view and check, views in name order."""
    found: list[Finding] = []
    for view in sorted(base.views):
        old = base.views[view]
        new = current.views.get(view)
        if new is None:
            found.append(
                Finding(view, F.QUERY_COUNT, True, "not exercised in this run", skipped=True)
            )
            continue
        found.append(_query_count(view, old, new, policy))
        found.append(_new_fingerprints(view, old, new))
        found.append(_n_plus_one(view, old, new))
        found.append(_n_plus_one_calls(view, old, new))
        found.append(_unused_eager_loads(view, old, new))
        found.append(_o_n(view, old, new))
        found.append(_cache_hit_ratio(view, old, new, policy))
        found.append(_full_scans(view, old, new))
    return found


def _common_sizes(old: View, new: View) -> list[str]:
    common = [size for size in old.sizes if size in new.sizes]
    return sorted(common, key=lambda s: (not s.isdigit(), int(s) if s.isdigit() else 0, s))


def _query_count(view: str, old: View, new: View, policy: Policy) -> Finding:
    allowance = policy.allowances.get(view, 0)
    changes = []
    worst_site = None
    for size in _common_sizes(old, new):
        before, after = old.sizes[size].queries, new.sizes[size].queries
        over = after != before if policy.mode == "exact" else after > before + allowance
        if over:
            changes.append(f"n={size}: {before} → {after} queries")
            worst_site = worst_site or _added_site(old.sizes[size], new.sizes[size])
    if not changes:
        return Finding(view, F.QUERY_COUNT, True, "query counts unchanged")
    rule = "must match the baseline" if policy.mode == "exact" else f"allowance +{allowance}"
    return Finding(view, F.QUERY_COUNT, False, f"{'; '.join(changes)} ({rule})", worst_site)


def _added_site(old: Size, new: Size) -> str | None:
    """The call site of the fingerprint that grew most: where the extra queries come from."""
    growth = []
    for fp, entry in new.fingerprints.items():
        before = old.fingerprints.get(fp)
        grown = entry.count - (before.count if before else 0)
        if grown > 0:
            growth.append((grown, entry.callsite or ""))
    return max(growth)[1] if growth else None


def _new_fingerprints(view: str, old: View, new: View) -> Finding:
    added: dict[str, Fingerprint] = {}
    for size in _common_sizes(old, new):
        for fp, entry in new.sizes[size].fingerprints.items():
            if fp not in old.sizes[size].fingerprints:
                added.setdefault(fp, entry)
    if not added:
        return Finding(view, F.NEW_FINGERPRINTS, True, "no new queries")
    fp, entry = next(iter(sorted(added.items())))
    more = f" (and {len(added) - 1} more)" if len(added) > 1 else ""
    return Finding(
        view,
        F.NEW_FINGERPRINTS,
        False,
        f"new query {fp}: {entry.sql} from {entry.callsite}{more}",
        entry.callsite,
    )


def _first_new(old: Mapping[str, T], new: Mapping[str, T]) -> tuple[str, T, str] | None:
    """The first (by key) of the findings ``new`` has and ``old`` has not, and how many more
    there are (" (and N more)", or ""); None when there is none."""
    added = sorted((key, entry) for key, entry in new.items() if key not in old)
    if not added:
        return None
    more = f" (and {len(added) - 1} more)" if len(added) > 1 else ""
    return added[0][0], added[0][1], more


def _n_plus_one(view: str, old: View, new: View) -> Finding:
    first = _first_new(old.n_plus_one, new.n_plus_one)
    if first is None:
        return Finding(view, F.N_PLUS_ONE, True, "no new N+1 groups")
    fp, group, _more = first
    return Finding(
        view,
        F.N_PLUS_ONE,
        False,
        f"new N+1 group {fp}: {group.sql} repeated per row from {group.callsite}",
        group.callsite,
    )


def _n_plus_one_calls(view: str, old: View, new: View) -> Finding:
    first = _first_new(old.n_plus_one_calls, new.n_plus_one_calls)
    if first is None:
        return Finding(view, F.N_PLUS_ONE_API, True, "no new N+1 API calls")
    call, entry, more = first
    return Finding(
        view,
        F.N_PLUS_ONE_API,
        False,
        f"new N+1 API call: {call} made {entry.count}× in one request from {entry.callsite}" + more,
        entry.callsite,
    )


def _unused_eager_loads(view: str, old: View, new: View) -> Finding:
    first = _first_new(old.unused_eager_loads, new.unused_eager_loads)
    if first is None:
        return Finding(view, F.UNUSED_EAGER_LOAD, True, "no new unused eager loads")
    lookup, entry, more = first
    return Finding(
        view,
        F.UNUSED_EAGER_LOAD,
        False,
        f"new unused eager load: {lookup}, its rows never read, asked for at {entry.callsite}: "
        f"{entry.fix}{more}",
        entry.callsite,
    )


def _o_n(view: str, old: View, new: View) -> Finding:
    if old.verdict in (None, "O(1)") and new.verdict not in (None, "O(1)"):
        site = next((group.callsite for group in new.n_plus_one.values()), None)
        return Finding(view, F.O_N, False, f"turned {new.verdict} (was O(1))", site)
    return Finding(view, F.O_N, True, f"{new.verdict or 'one size'}")


def _cache_hit_ratio(view: str, old: View, new: View, policy: Policy) -> Finding:
    drops = []
    for size in _common_sizes(old, new):
        before = old.sizes[size].cache_hit_ratio
        after = new.sizes[size].cache_hit_ratio
        if before is not None and (after is None or after < before - policy.hit_ratio_drop):
            drops.append(
                f"n={size}: {before:.0%} → {'no reads' if after is None else f'{after:.0%}'}"
            )
    if drops:
        return Finding(
            view, F.CACHE_HIT_RATIO, False, "cache hit ratio dropped: " + "; ".join(drops)
        )
    return Finding(view, F.CACHE_HIT_RATIO, True, "cache hit ratio held")


def _full_scans(view: str, old: View, new: View) -> Finding:
    first = _first_new(old.full_scans, new.full_scans)
    if first is None:
        return Finding(view, F.FULL_SCAN, True, "no new full scans")
    key, scan, more = first
    fix = f"; add {scan.index}" if scan.index else ""
    return Finding(
        view,
        F.FULL_SCAN,
        False,
        f"new {key}: {scan.sql} from {scan.callsite}{fix}{more}",
        scan.callsite,
    )
