"""One verdict from mixed signals: exact counts always, latency only when comparable."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from perfkit.gate import counts, latency
from perfkit.gate.findings import GateResult


def evaluate(
    base: dict[str, Any],
    current: dict[str, Any],
    policy: counts.Policy,
    rounds: dict[str, tuple[Sequence[float], Sequence[float]]] | None = None,
) -> GateResult:
    """Compare a run with a baseline; ``rounds`` holds interleaved per-round medians per view."""
    findings = counts.compare(base, current, policy)
    notes = []
    if rounds is not None:
        findings += [
            latency.paired(view, before, after, policy.min_effect)
            for view, (before, after) in sorted(rounds.items())
        ]
        compared = True
    elif base["environment"].get("fingerprint") == current["environment"].get("fingerprint"):
        findings += latency.compare(base, current, policy.min_effect)
        compared = True
    else:
        compared = False
        notes.append(
            "latency not gated: the baseline was measured on another machine or software "
            f"({base['environment'].get('cpu')}, Python {base['environment'].get('python')}); "
            "query counts still are"
        )
    return GateResult(findings=findings, latency_compared=compared, notes=notes)
