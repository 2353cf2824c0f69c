"""What changed between two baselines, as lines a reviewer reads."""

from __future__ import annotations

from perfkit.gate.baseline import Baseline, View


def diff(old: Baseline, new: Baseline) -> list[str]:
    """Every difference in the gating parts, one line each; empty when they match."""
    lines = []
    for view in sorted(set(old.views) | set(new.views)):
        if view not in new.views:
            lines.append(f"- {view}: removed")
            continue
        if view not in old.views:
            lines.append(f"+ {view}: added")
            continue
        lines.extend(_view_diff(view, old.views[view], new.views[view]))
    if not old.same_environment(new):
        lines.append("~ environment changed: latency figures are not comparable")
    return lines


def _view_diff(view: str, old: View, new: View) -> list[str]:
    lines = []
    if old.verdict != new.verdict:
        lines.append(f"~ {view}: {old.verdict} → {new.verdict}")
    for size in sorted(set(old.sizes) | set(new.sizes), key=_size_key):
        before, after = old.sizes.get(size), new.sizes.get(size)
        if before is None or after is None:
            lines.append(f"~ {view} n={size}: {'added' if before is None else 'removed'}")
            continue
        if before.queries != after.queries:
            lines.append(f"~ {view} n={size}: {before.queries} → {after.queries} queries")
        for fp in sorted(set(after.fingerprints) - set(before.fingerprints)):
            entry = after.fingerprints[fp]
            lines.append(f"+ {view} n={size}: {entry.sql} ({entry.callsite})")
        for fp in sorted(set(before.fingerprints) - set(after.fingerprints)):
            lines.append(f"- {view} n={size}: {before.fingerprints[fp].sql}")
        if before.cache_hit_ratio != after.cache_hit_ratio:
            lines.append(
                f"~ {view} n={size}: cache hit ratio {before.cache_hit_ratio} → "
                f"{after.cache_hit_ratio}"
            )
    for fp in sorted(set(new.n_plus_one) - set(old.n_plus_one)):
        lines.append(f"+ {view}: N+1 group at {new.n_plus_one[fp].callsite}")
    for fp in sorted(set(old.n_plus_one) - set(new.n_plus_one)):
        lines.append(f"- {view}: N+1 group at {old.n_plus_one[fp].callsite} fixed")
    for call in sorted(set(new.n_plus_one_calls) - set(old.n_plus_one_calls)):
        lines.append(f"+ {view}: N+1 API call {call} at {new.n_plus_one_calls[call].callsite}")
    for call in sorted(set(old.n_plus_one_calls) - set(new.n_plus_one_calls)):
        lines.append(f"- {view}: N+1 API call {call} fixed")
    for key in sorted(set(new.full_scans) - set(old.full_scans)):
        lines.append(f"+ {view}: {key} at {new.full_scans[key].callsite}")
    for key in sorted(set(old.full_scans) - set(new.full_scans)):
        lines.append(f"- {view}: {key} fixed")
    for lookup in sorted(set(new.unused_eager_loads) - set(old.unused_eager_loads)):
        where = new.unused_eager_loads[lookup].callsite
        lines.append(f"+ {view}: unused eager load {lookup} at {where}")
    for lookup in sorted(set(old.unused_eager_loads) - set(new.unused_eager_loads)):
        lines.append(f"- {view}: unused eager load {lookup} fixed")
    return lines


def _size_key(size: str) -> tuple[int, str]:
    return (int(size), "") if size.isdigit() else (1 << 30, size)
