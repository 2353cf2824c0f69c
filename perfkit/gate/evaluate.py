"""One verdict from mixed signals: exact counts always, latency only when comparable."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from perfkit.gate import counts, significance
from perfkit.gate.baseline import Baseline
from perfkit.gate.findings import GateResult


def evaluate(
    base: Baseline,
    current: Baseline,
    policy: counts.Policy,
    rounds: Mapping[str, tuple[Sequence[float], Sequence[float]]] | None = None,
) -> GateResult:
    """Compare a run with a baseline; ``rounds`` holds interleaved per-round medians per view."""
    findings = counts.compare(base, current, policy)
    notes = []
    if rounds is not None:
        paired = [
            significance.paired(view, before, after, policy.min_effect, family=len(rounds))
            for view, (before, after) in sorted(rounds.items())
        ]
        findings += paired
        compared = True
        ungated = [f for f in paired if f.skipped]
        if ungated:
            # Said on the console too: a tally of skipped checks alone reads like a pass.
            notes.append(
                f"latency not gated for {len(ungated)} of {len(paired)} view(s): "
                f"{ungated[0].message}"
            )
    elif base.same_environment(current):
        for finding in significance.compare(base, current, policy.min_effect):
            finding.passed, finding.skipped = True, True
            finding.message = f"not gated, for information: {finding.message}"
            findings.append(finding)
        compared = False
        notes.append(
            "latency not gated: the baseline's samples were taken at another time, when the "
            "machine may have been busier or quieter; gate latency with --against REF, which "
            "benchmarks both sides in alternating rounds"
        )
    else:
        compared = False
        notes.append(
            "latency not gated: the baseline was measured on another machine or software "
            f"({base.environment.get('cpu')}, Python {base.environment.get('python')}); "
            "query counts still are"
        )
    return GateResult(findings=findings, latency_compared=compared, notes=notes)
