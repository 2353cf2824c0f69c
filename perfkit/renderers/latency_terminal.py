"""The terminal report: per URL a timing table, the split as a bar, the verdict and findings."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from perfkit.latency.measurements import ROWS, LatencyReport, ModeResult, Split, UrlResult
from perfkit.renderers.formatting import fixed, median_count, median_spread, share, timings

BAR_WIDTH = 50
COLOURS = {"backend": "red", "network": "yellow", "frontend": "blue"}
_SEVERITY = {"warning": "yellow", "info": "dim"}


def render(report: LatencyReport, console: Console) -> None:
    """Print the whole report."""
    console.print(
        f"[bold]perfkit latency[/]: {report.target}; {report.runs} run(s) per mode after a "
        f"warm-up; {report.browser} {report.browser_version}",
        highlight=False,
    )
    for result in report.results:
        console.print()
        render_url(result, console)
    if report.failed:
        console.print()
        console.print(f"[bold red]{len(report.failed)} URL(s) could not be measured")


def render_url(result: UrlResult, console: Console) -> None:
    """One URL: its table, bars, verdict and findings (or its error)."""
    console.print(Text(result.url, style="bold underline"))
    if result.error:
        console.print(Text(f"  not measured: {result.error}", style="bold red"))
        return
    console.print(_table(result))
    for mode in result.modes:
        console.print(_bar(mode))
        console.print(Text(f"        {_server_line(mode.split)}", style="dim"))
    split = result.split
    if split is not None:
        style = "bold green" if split.bound == "frontend" else "bold"
        console.print(Text(f"Verdict: {split.verdict}", style=style))
    for finding in result.findings:
        line = Text(f"  • {finding.message}", style=_SEVERITY.get(finding.severity, ""))
        console.print(line)


def _table(result: UrlResult) -> Table:
    table = Table(show_edge=False, pad_edge=False, box=box.SIMPLE_HEAD)
    statuses = "/".join(str(s) for s in sorted({r.status for r in result.curl_runs}))
    table.add_column(f"ms, median ±½ range (status {statuses})", no_wrap=True)
    table.add_column("curl (httpx)", justify="right")
    for mode in result.modes:
        table.add_column(f"browser, {mode.mode}", justify="right")
    for label, curl_key, browser_key in ROWS:
        cells = [median_spread(result.curl.get(curl_key)) if curl_key else ""]
        cells += [
            median_spread(m.summary.get(browser_key)) if browser_key else "" for m in result.modes
        ]
        table.add_row(label, *cells)
    table.add_row(
        "bytes",
        median_count(result.curl.get("bytes")),
        *(median_count(m.summary.get("total_bytes")) for m in result.modes),
    )
    table.add_row("requests", "1", *(median_count(m.summary.get("requests")) for m in result.modes))
    return table


def _bar(mode: ModeResult) -> Text:
    split = mode.split
    text = Text(f"  {mode.mode:<5} ")
    widths = [round(split.share(part) * BAR_WIDTH) for part in COLOURS]
    widths[widths.index(max(widths))] += BAR_WIDTH - sum(widths)  # rounding: always full width
    for part, width in zip(COLOURS, widths, strict=True):
        text.append("█" * width, style=COLOURS[part])
    text.append(f" {fixed(split.end_ms, unit='ms')}\n        ")
    for part, colour in COLOURS.items():
        value = getattr(split, f"{part}_ms")
        text.append(f"{part} ", style=colour)
        text.append(f"{share(value, split.share(part))}  ")
    return text


def _server_line(split: Split) -> str:
    if not split.server:
        return f"backend from the {split.backend_source}"
    return f"server (Server-Timing): {timings(split.server)}"
