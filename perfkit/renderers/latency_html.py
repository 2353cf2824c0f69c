"""The report as one self-contained HTML page (no scripts, no external files) with the bars."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from perfkit import output
from perfkit.latency.measurements import ROWS, LatencyReport, ModeResult, Summary, UrlResult

PARTS = (("backend", "#c62828"), ("network", "#f9a825"), ("frontend", "#1565c0"))


def render(report: LatencyReport) -> str:
    """The HTML text; every value from the report is escaped."""
    return output.html("latency.html", {}, report=report, pages=[_page(r) for r in report.results])


def write(report: LatencyReport, path: Path) -> None:
    output.write_text(path, render(report))


def _ms(summary: Summary | None) -> str:
    return "" if summary is None else f"{summary.median:.1f} ({summary.low:.1f}–{summary.high:.1f})"


def _count(summary: Summary | None) -> str:
    return "" if summary is None else f"{summary.median:,.0f}"


def _page(result: UrlResult) -> dict[str, Any]:
    if result.error:
        return {"url": result.url, "error": result.error}
    modes = result.modes
    rows = []
    for label, curl_key, browser_key in ROWS:
        curl = _ms(result.curl.get(curl_key)) if curl_key else ""
        rows.append([label, curl, *(_ms(m.summary.get(browser_key)) for m in modes)])
    rows.append(["bytes", _count(result.curl.get("bytes"))])
    rows[-1] += [_count(m.summary.get("total_bytes")) for m in modes]
    rows.append(["requests", "1", *(_count(m.summary.get("requests")) for m in modes)])
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
    title = f"{mode.mode}: {split.end_ms:.1f} ms until the page was done"
    if split.server:
        server = ", ".join(f"{name} {value:.2f} ms" for name, value in split.server.items())
        title += f" (server: {server})"
    parts = [
        {
            "name": name,
            "colour": colour,
            "width": f"{split.share(name) * 100:.2f}",
            "label": f"{name} {getattr(split, f'{name}_ms'):.1f} ms "
            f"({split.share(name) * 100:.0f}%)",
        }
        for name, colour in PARTS
    ]
    resources = ", ".join(
        f"{kind} {total.count} ({total.transfer_bytes:,} bytes)"
        for kind, total in mode.resources.items()
    )
    return {"title": title, "parts": parts, "resources": resources}
