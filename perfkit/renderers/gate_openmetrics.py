"""GitLab ``metrics.txt`` (OpenMetrics text): query counts and check results per view."""

from __future__ import annotations

from perfkit.gate.baseline import Baseline
from perfkit.gate.findings import GateResult


def _label(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render(result: GateResult, current: Baseline) -> str:
    lines = []
    for view, data in sorted(current.views.items()):
        for size, entry in sorted(data.sizes.items()):
            lines.append(
                f'perfkit_queries{{view="{_label(view)}",size="{_label(size)}"}} {entry.queries}'
            )
    for view, samples in sorted(current.latency_ms.items()):
        for size, values in sorted(samples.items()):
            if values:
                median = sorted(values)[len(values) // 2]
                labels = f'view="{_label(view)}",size="{_label(size)}"'
                lines.append(f"perfkit_wall_ms_median{{{labels}}} {median}")
    for finding in result.findings:
        value = 0 if finding.skipped else int(not finding.passed)
        lines.append(
            f'perfkit_check_failed{{view="{_label(finding.view)}",check="{finding.check}"}} {value}'
        )
    return "\n".join(lines) + "\n"
