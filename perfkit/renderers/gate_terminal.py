"""The gate's terminal output: failures first with where to look, then the tally."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from perfkit.gate.findings import GateResult


def render(result: GateResult, console: Console) -> None:
    table = Table(title="perfkit gate", title_justify="left", show_lines=False)
    table.add_column("view", no_wrap=True)
    table.add_column("check", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("details")
    ordered = sorted(result.findings, key=lambda f: (f.passed, f.skipped, f.view, f.check))
    for finding in ordered:
        if finding.skipped:
            state = "[yellow]skipped"
        elif finding.passed:
            state = "[green]ok"
        else:
            state = "[bold red]FAIL"
        table.add_row(Text(finding.view), finding.check, state, Text(finding.message))
    console.print(table, markup=True, highlight=False)
    for note in result.notes:
        console.print(Text(note, style="yellow"))
    failed = len(result.failed)
    if failed:
        console.print(f"[bold red]{failed} regression(s)[/]: the gate fails.", highlight=False)
    else:
        console.print("[bold green]No regressions[/]: the gate passes.", highlight=False)
