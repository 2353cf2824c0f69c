"""Page loads in headless Chromium through Playwright: Navigation, Paint and Resource Timing."""

from __future__ import annotations

from typing import Any

from perfkit import server_timing
from perfkit.errors import UsageError
from perfkit.latency import chromium
from perfkit.latency.measurements import COLD, WARM, BrowserRun, Resource

TIMEOUT_MS = 30_000
KEPT_HEADERS = (
    "cache-control",
    "expires",
    "etag",
    "last-modified",
    "content-encoding",
    "content-type",
    "content-length",
    "location",
)

# Recorded from the first moment of the page: largest-contentful-paint entries are only
# delivered to observers, never through getEntriesByType.
_OBSERVE_LCP = """
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__perfkitLcp = entry.startTime;
}).observe({type: "largest-contentful-paint", buffered: true});
"""

# The first contentful paint can come after the load event: wait for it, up to a second
# (a page with nothing to paint never gets one).
_COLLECT = """
async () => {
  const fcp = () => performance.getEntriesByName("first-contentful-paint")[0];
  const deadline = performance.now() + 1000;
  while (!fcp() && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 16));
  }
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  return {
    navigation: performance.getEntriesByType("navigation")[0].toJSON(),
    fcp: fcp() ? fcp().startTime : null,
    lcp: window.__perfkitLcp ?? null,
    resources: performance.getEntriesByType("resource").map((e) => e.toJSON()),
  };
}
"""


class Chromium:
    """One headless browser for a whole run; each cold load gets a fresh context."""

    def __init__(self, path: str) -> None:
        try:
            from playwright.sync_api import Error, sync_playwright
        except ImportError:
            raise UsageError(
                "perfkit latency needs Playwright: pip install 'perfkit[browser]' "
                "(no browser download: it drives the system's Chromium)"
            ) from None
        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(
                executable_path=path, args=list(chromium.ARGS)
            )
        except Error as error:
            self._playwright.stop()
            first = str(error).strip().splitlines()[0] if str(error).strip() else "failed"
            raise UsageError(
                f"{path} did not start as headless Chromium ({first}); {chromium.INSTALL_HINT}"
            ) from None

    @property
    def version(self) -> str:
        return self._browser.version

    def cold(self, url: str) -> BrowserRun:
        """A first view: a new context, so an empty cache and no connections to reuse."""
        context = self._browser.new_context()
        try:
            return _load(context, url, COLD)
        finally:
            context.close()

    def warm(self, url: str, runs: int) -> list[BrowserRun]:
        """Repeat views: one context loads the page once, then ``runs`` more times."""
        context = self._browser.new_context()
        try:
            _load(context, url, WARM)
            return [_load(context, url, WARM) for _ in range(runs)]
        finally:
            context.close()

    def close(self) -> None:
        self._browser.close()
        self._playwright.stop()


def _load(context: Any, url: str, mode: str) -> BrowserRun:
    page = context.new_page()
    try:
        page.add_init_script(_OBSERVE_LCP)
        responses: list[Any] = []
        # Playwright tags the handler with an attribute, so it must be a Python function.
        page.on("response", lambda response: responses.append(response))
        main = page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
        data = page.evaluate(_COLLECT)
    finally:
        page.close()
    navigation = data["navigation"]
    entries = {e["name"]: e for e in data["resources"]}
    entries.setdefault(navigation["name"], {**navigation, "duration": navigation["responseEnd"]})
    resources = [_resource(r, entries.get(r.url)) for r in responses]
    return BrowserRun(
        mode=mode,
        status=main.status if main else int(navigation.get("responseStatus") or 0),
        connect_ms=float(navigation["connectEnd"]) - float(navigation["domainLookupStart"]),
        request_start_ms=float(navigation["requestStart"]),
        ttfb_ms=float(navigation["responseStart"]),
        response_end_ms=float(navigation["responseEnd"]),
        dom_content_loaded_ms=float(navigation["domContentLoadedEventEnd"]),
        load_ms=float(navigation["loadEventEnd"]),
        fcp_ms=data["fcp"],
        lcp_ms=data["lcp"],
        transfer_bytes=int(navigation["transferSize"]),
        redirects=_redirects(main),
        server_timing=server_timing.from_browser(navigation.get("serverTiming") or []),
        resources=[r for r in resources if r is not None],
    )


def _resource(response: Any, entry: dict[str, Any] | None) -> Resource | None:
    """A response joined to its Resource Timing entry; None for redirect hops."""
    if 300 <= response.status < 400 and response.headers.get("location"):
        return None
    headers = response.headers
    entry = entry or {}
    transfer = int(entry.get("transferSize") or 0)
    body = int(entry.get("decodedBodySize") or 0)
    return Resource(
        url=response.url,
        type=response.request.resource_type,
        status=response.status,
        transfer_bytes=transfer,
        body_bytes=body,
        duration_ms=float(entry.get("duration") or 0.0),
        render_blocking=entry.get("renderBlockingStatus") == "blocking",
        from_cache=transfer == 0 and body > 0,
        headers={k: headers[k] for k in KEPT_HEADERS if k in headers},
    )


def _redirects(response: Any) -> list[str]:
    """The URLs the page was redirected from, first hop first."""
    hops = []
    request = response.request.redirected_from if response else None
    while request is not None:
        hops.append(request.url)
        request = request.redirected_from
    return hops[::-1]
