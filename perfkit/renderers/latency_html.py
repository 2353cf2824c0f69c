"""The report as one self-contained HTML page (no scripts, no external files) with the bars."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from perfkit import output
from perfkit.latency.measurements import ROWS, LatencyReport, ModeResult, UrlResult
from perfkit.renderers.formatting import fixed, median_count, median_range, share, timings

PARTS = (("backend", "#c62828"), ("network", "#f9a825"), ("frontend", "#1565c0"))


def render(report: LatencyReport) -> str:
    """The HTML text; every value from the report is escaped."""
    return output.html("latency.html", {}, report=report, pages=[_page(r) for r in report.results])


def write(report: LatencyReport, path: Path) -> None:
    output.write_text(path, render(report))


def _page(result: UrlResult) -> dict[str, Any]:
    if result.error:
        return {"url": result.url, "error": result.error}
    modes = result.modes
    rows = []
    for label, curl_key, browser_key in ROWS:
        curl = median_range(result.curl.get(curl_key)) if curl_key else ""
        rows.append([label, curl, *(median_range(m.summary.get(browser_key)) for m in modes)])
    rows.append(["bytes", median_count(result.curl.get("bytes"))])
    rows[-1] += [median_count(m.summary.get("total_bytes")) for m in modes]
    rows.append(["requests", "1", *(median_count(m.summary.get("requests")) for m in modes)])
    split = result.split
    return {
        "url": result.url,
        "error": None,
        "header": ["ms, median (range)", "curl (httpx)", *(f"browser, {m.mode}" for m in modes)],
        "rows": rows,
        "modes": [_mode(m) for m in modes],
        "verdict": split.verdict if split else "",
        "findings": result.findings,
    }


def _mode(mode: ModeResult) -> dict[str, Any]:
    split = mode.split
    title = f"{mode.mode}: {fixed(split.end_ms, unit='ms')} until the page was done"
    if split.server:
        title += f" (server: {timings(split.server)})"
    parts = [
        {
            "name": name,
            "colour": colour,
            "width": fixed(split.share(name) * 100, 2),
            "label": f"{name} {share(getattr(split, f'{name}_ms'), split.share(name))}",
        }
        for name, colour in PARTS
    ]
    resources = ", ".join(
        f"{kind} {total.count} ({total.transfer_bytes:,} bytes)"
        for kind, total in mode.resources.items()
    )
    return {"title": title, "parts": parts, "resources": resources}
