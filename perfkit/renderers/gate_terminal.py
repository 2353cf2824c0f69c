"""The gate's terminal output: each failure with where to look, then the tally."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from perfkit.gate.findings import GateResult


def render(result: GateResult, console: Console) -> None:
    failed = result.failed
    skipped = [f for f in result.findings if f.skipped]
    passed = len(result.findings) - len(failed) - len(skipped)
    for finding in failed:
        console.print(
            Text.assemble(("FAIL ", "bold red"), (finding.view, "bold"), f" · {finding.check}")
        )
        console.print(Text(finding.message), style=None, soft_wrap=False)
        if finding.callsite:
            console.print(Text(f"at {finding.callsite}", style="dim"))
        console.print()
    for note in result.notes:
        console.print(Text(note, style="yellow"))
    views = len({f.view for f in failed})
    tally = f"{passed} checks passed, {len(skipped)} skipped"
    if failed:
        console.print(
            Text.assemble(
                (f"{len(failed)} regression(s) in {views} view(s)", "bold red"),
                f"; {tally}: the gate fails.",
            )
        )
    else:
        console.print(
            Text.assemble(("No regressions", "bold green"), f"; {tally}: the gate passes.")
        )
