"""The backend / network / frontend split of a page load, and the verdict in words."""

from __future__ import annotations

from perfkit import server_timing
from perfkit.latency import frontend
from perfkit.latency.measurements import BrowserRun, Split
from perfkit.quantiles import median
from perfkit.renderers.formatting import fixed, ratio

PARTS = ("backend", "network", "frontend")
#: A part at or above this share of the wait is what to work on.
BOUND_SHARE = 0.5
#: Below this share the server is not worth a look while the frontend dominates.
SERVER_MATTERS = 0.2


def run_parts(run: BrowserRun) -> tuple[float, float, float, str]:
    """Backend, network and frontend ms of one load (they add up to its end), and the source.

    Backend is the server's own time from ``Server-Timing`` (``total``, else the sum of its
    metrics). Without that header it is the wait between sending the request and the first
    byte, which also holds one network round trip. Network is the rest of the time to first
    byte (connect, request) plus downloading the HTML; frontend is everything after it.
    """
    metrics = server_timing.durations(run.server_timing)
    if metrics:
        server = metrics.get("total", sum(metrics.values()))
        source = "Server-Timing"
    else:
        server = run.ttfb_ms - run.request_start_ms
        source = "first-byte wait (no Server-Timing; includes one round trip)"
    backend = min(max(server, 0.0), run.ttfb_ms)
    network = run.response_end_ms - backend
    frontend = max(run.end_ms - run.response_end_ms, 0.0)
    return backend, network, frontend, source


def split(runs: list[BrowserRun]) -> Split:
    """The median split over ``runs``: median backend and network, frontend the rest of the
    median end, so the three add up to it."""
    parts = [run_parts(run) for run in runs]
    backend = median(p[0] for p in parts)
    network = median(p[1] for p in parts)
    end = max(median(run.end_ms for run in runs), backend + network)
    frontend = end - backend - network
    server = {
        name: median(values)
        for name, values in _server_metrics(runs).items()
        if len(values) == len(runs)
    }
    shares = dict(zip(PARTS, (backend, network, frontend), strict=True))
    bound = max(shares, key=lambda p: shares[p])
    if end <= 0 or shares[bound] / end < BOUND_SHARE:
        bound = "mixed"
    result = Split(backend, network, frontend, end, parts[0][3], server, bound, "")
    result.verdict = _verdict(result, runs)
    return result


def _server_metrics(runs: list[BrowserRun]) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {}
    for run in runs:
        for name, value in server_timing.durations(run.server_timing).items():
            found.setdefault(name, []).append(value)
    return found


def _verdict(result: Split, runs: list[BrowserRun]) -> str:
    def pct(part: str) -> str:
        return ratio(result.share(part))

    if result.bound == "frontend":
        text = f"{pct('frontend')} of this page's load is frontend"
        if result.share("backend") < SERVER_MATTERS:
            text += ": the server is not the problem"
        else:
            text += f", {pct('backend')} is the server{_db(result)}: work on both"
        blocking = frontend.slowest_blocking(runs[0])
        if blocking is not None:
            text += (
                f"; the slowest render-blocking resource is {blocking.url} "
                f"({fixed(blocking.duration_ms, 0, 'ms')})"
            )
        return text
    if result.bound == "backend":
        return (
            f"{pct('backend')} of this page's load is the server{_db(result)}: start with the "
            "backend (perfkit report shows its queries)"
        )
    if result.bound == "network":
        return (
            f"{pct('network')} of this page's load is network (connect and transfer): "
            "look at compression, page weight and the distance to the server"
        )
    return (
        f"no single part dominates: backend {pct('backend')}, network {pct('network')}, "
        f"frontend {pct('frontend')}"
    )


def _db(result: Split) -> str:
    if "db" not in result.server:
        return ""
    return f" ({fixed(result.server['db'], unit='ms')} of it in the database)"
