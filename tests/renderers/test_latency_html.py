"""The HTML report is self-contained and escapes everything that came from the outside."""

from __future__ import annotations

from perfkit.latency.measurements import (
    BrowserRun,
    Finding,
    LatencyReport,
    ModeResult,
    Split,
    Summary,
    UrlResult,
)
from perfkit.renderers import latency_html

HOSTILE = "http://127.0.0.1:1/?q=<script>alert(1)</script>"


def _measured() -> UrlResult:
    run = BrowserRun("cold", 200, 0.5, 1.0, 5.0, 6.0, 40.0, 50.0, 45.0, 45.0, 900, [], [], [])
    split = Split(4.0, 2.0, 44.0, 50.0, "Server-Timing", {"db": 1.5}, "frontend", "<b>88%</b>")
    summary = {"ttfb_ms": Summary(5.0, 4.0, 7.0, 3), "load_ms": Summary(50.0, 48.0, 55.0, 3)}
    return UrlResult(
        url=HOSTILE + "&page=2",
        curl={"ttfb_ms": Summary(3.0, 2.5, 3.5, 3)},
        modes=[ModeResult("cold", [run], summary, {}, split)],
        findings=[Finding("render-blocking", "warning", 'in <head>: "x" & <img src=x>')],
    )


def test_urls_errors_verdicts_and_findings_are_escaped() -> None:
    report = LatencyReport(
        "given URLs", 3, "/usr/bin/chromium", "156", [UrlResult(HOSTILE, error="<b>boom</b>")]
    )
    report.results.append(_measured())
    page = latency_html.render(report)
    assert "<script" not in page and "<b>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "not measured: &lt;b&gt;boom&lt;/b&gt;" in page
    assert "&lt;b&gt;88%&lt;/b&gt;" in page
    assert "in &lt;head&gt;: &#34;x&#34; &amp; &lt;img src=x&gt;" in page


def test_the_bar_widths_are_the_shares_of_the_load() -> None:
    page = latency_html.render(LatencyReport("t", 3, "c", "1", [_measured()]))
    assert "width: 8.00%; background: #c62828" in page
    assert "width: 4.00%; background: #f9a825" in page
    assert "width: 88.00%; background: #1565c0" in page
    assert "<link" not in page and "@import" not in page  # nothing to fetch
