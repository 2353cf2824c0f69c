"""Measure each URL with curl-style fetches and browser loads; a failing URL stops only itself."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from perfkit.latency import curl, frontend, split, summaries
from perfkit.latency.browser import Chromium
from perfkit.latency.measurements import (
    COLD,
    BrowserRun,
    ModeResult,
    ResourceTotals,
    Summary,
    UrlResult,
)


def measure(
    urls: list[str],
    runs: int,
    modes: list[str],
    browser: Chromium,
    on_step: Callable[[str], None] = lambda step: None,
) -> list[UrlResult]:
    """One result per URL, in order; each has either measurements or an error."""
    return [measure_url(url, runs, modes, browser, on_step) for url in urls]


def measure_url(
    url: str,
    runs: int,
    modes: list[str],
    browser: Chromium,
    on_step: Callable[[str], None] = lambda step: None,
) -> UrlResult:
    """Curl-style runs, then browser runs per mode, each set after one discarded warm-up."""
    from playwright.sync_api import Error as PlaywrightError

    result = UrlResult(url)
    try:
        on_step(f"{url}: curl")
        curl.fetch(url)
        result.curl_runs = [curl.fetch(url) for _ in range(runs)]
        result.curl = summaries.summaries(
            {
                "connect_ms": (r.connect_ms for r in result.curl_runs),
                "ttfb_ms": (r.ttfb_ms for r in result.curl_runs),
                "total_ms": (r.total_ms for r in result.curl_runs),
                "bytes": (r.bytes for r in result.curl_runs),
            }
        )
        for mode in modes:
            on_step(f"{url}: browser, {mode}")
            result.modes.append(_mode(url, runs, mode, browser))
    except httpx.HTTPError as error:
        result.error = f"cannot fetch: {error}"
    except PlaywrightError as error:
        result.error = f"browser: {_first_line(str(error))}"
    else:
        result.findings = frontend.findings(result.modes[0].runs[0])
    return result


def _mode(url: str, runs: int, mode: str, browser: Chromium) -> ModeResult:
    if mode == COLD:
        browser.cold(url)
        loads = [browser.cold(url) for _ in range(runs)]
    else:
        loads = browser.warm(url, runs)
    return ModeResult(mode, loads, _summary(loads), _totals(loads[0]), split.split(loads))


def _summary(loads: list[BrowserRun]) -> dict[str, Summary]:
    return summaries.summaries(
        {
            "connect_ms": (r.connect_ms for r in loads),
            "ttfb_ms": (r.ttfb_ms for r in loads),
            "response_end_ms": (r.response_end_ms for r in loads),
            "dom_content_loaded_ms": (r.dom_content_loaded_ms for r in loads),
            "load_ms": (r.load_ms for r in loads),
            "fcp_ms": (r.fcp_ms for r in loads),
            "lcp_ms": (r.lcp_ms for r in loads),
            "page_bytes": (r.transfer_bytes for r in loads),
            "total_bytes": (sum(x.transfer_bytes for x in r.resources) for r in loads),
            "requests": (len(r.resources) for r in loads),
        }
    )


def _totals(load: BrowserRun) -> dict[str, ResourceTotals]:
    """Sub-resources (the page itself left out) by type."""
    totals: dict[str, ResourceTotals] = {}
    for resource in load.resources:
        if resource.type == "document":
            continue
        total = totals.setdefault(resource.type, ResourceTotals(0, 0))
        total.count += 1
        total.transfer_bytes += resource.transfer_bytes
    return dict(sorted(totals.items()))


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else "failed"
