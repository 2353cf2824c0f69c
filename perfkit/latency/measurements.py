"""The latency result: one model that the terminal, JSON and HTML renderers read."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from perfkit.server_timing import ServerTimingEntry

COLD = "cold"
WARM = "warm"

#: The timing table's rows: label, the curl summary's field, the browser summaries' field.
ROWS = (
    ("DNS + connect", "connect_ms", "connect_ms"),
    ("TTFB", "ttfb_ms", "ttfb_ms"),
    ("HTML done", "total_ms", "response_end_ms"),
    ("DOMContentLoaded", "", "dom_content_loaded_ms"),
    ("load", "", "load_ms"),
    ("first contentful paint", "", "fcp_ms"),
    ("largest contentful paint", "", "lcp_ms"),
)


@dataclass
class Summary:
    """Median and range of one timing over the measured runs."""

    median: float
    low: float
    high: float
    runs: int

    @property
    def spread(self) -> float:
        return self.high - self.low


@dataclass
class CurlRun:
    """One plain HTTP fetch over a new connection, the way curl would do it."""

    status: int
    connect_ms: float
    ttfb_ms: float
    total_ms: float
    bytes: int
    content_encoding: str
    server_timing: list[ServerTimingEntry]


@dataclass
class Resource:
    """One response the browser received while loading the page (the page itself included)."""

    url: str
    type: str
    status: int
    transfer_bytes: int
    body_bytes: int
    duration_ms: float
    render_blocking: bool
    from_cache: bool
    headers: dict[str, str]


@dataclass
class BrowserRun:
    """One page load in headless Chromium; times in ms from the start of navigation."""

    mode: str
    status: int
    connect_ms: float
    request_start_ms: float
    ttfb_ms: float
    response_end_ms: float
    dom_content_loaded_ms: float
    load_ms: float
    fcp_ms: float | None
    lcp_ms: float | None
    transfer_bytes: int
    redirects: list[str]
    server_timing: list[ServerTimingEntry]
    resources: list[Resource]

    @property
    def end_ms(self) -> float:
        """When the person stops waiting: the load event or the largest paint, if later."""
        return max(self.load_ms, self.lcp_ms or 0.0)


@dataclass
class Split:
    """Where the wait goes: backend (server), network, frontend (browser work after the HTML)."""

    backend_ms: float
    network_ms: float
    frontend_ms: float
    end_ms: float
    backend_source: str
    server: dict[str, float]
    bound: str
    verdict: str

    def share(self, part: str) -> float:
        """The fraction of the wait that ``part`` (backend, network, frontend) takes."""
        return getattr(self, f"{part}_ms") / self.end_ms if self.end_ms > 0 else 0.0


@dataclass
class ResourceTotals:
    """Sub-resources of one type: how many, and the bytes they took over the wire."""

    count: int
    transfer_bytes: int


@dataclass
class ModeResult:
    """The browser runs of one mode (cold: empty cache; warm: repeat view) and their summary."""

    mode: str
    runs: list[BrowserRun]
    summary: dict[str, Summary]
    resources: dict[str, ResourceTotals]
    split: Split


@dataclass
class Finding:
    """Something concrete to fix in what the browser loaded."""

    kind: str
    severity: str
    message: str
    url: str = ""


@dataclass
class UrlResult:
    """Everything measured for one URL, or the error that stopped it."""

    url: str
    error: str | None = None
    curl_runs: list[CurlRun] = field(default_factory=list)
    curl: dict[str, Summary] = field(default_factory=dict)
    modes: list[ModeResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def split(self) -> Split | None:
        """The split that answers "is it slow": the first view (cold) when it was measured."""
        return self.modes[0].split if self.modes else None


@dataclass
class LatencyReport:
    """A ``perfkit latency`` run: which browser, how many runs, and one result per URL."""

    target: str
    runs: int
    browser: str
    browser_version: str
    results: list[UrlResult]

    @property
    def failed(self) -> list[UrlResult]:
        return [r for r in self.results if r.error]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
