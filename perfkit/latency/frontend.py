"""Frontend findings from what the browser loaded: blocking, compression, caching, weight."""

from __future__ import annotations

from perfkit.latency.measurements import BrowserRun, Finding, Resource
from perfkit.renderers.formatting import fixed

#: Smaller than this, compression saves less than a round trip is worth.
COMPRESS_ABOVE = 1024
#: A page heavier than this is worth a look on a phone.
HEAVY_BYTES = 1_000_000
_COMPRESSIBLE = ("text/", "javascript", "json", "xml", "svg", "ecmascript")
_STATIC_TYPES = ("stylesheet", "script", "image", "font", "media")
_UNBLOCK = {
    "script": "add defer (or async) to the <script>, or move it to the end of <body>",
    "stylesheet": "inline the critical CSS and load the rest with media or preload",
}


def findings(run: BrowserRun) -> list[Finding]:
    """What to fix, worst first, from one cold load (nothing cached, everything fetched)."""
    found = _render_blocking(run.resources)
    found += _redirects(run)
    ok = [r for r in run.resources if r.status == 200]
    found += [_uncompressed(r) for r in ok if _is_uncompressed(r)]
    found += [_uncached(r) for r in ok if r.type in _STATIC_TYPES and not _has_freshness(r)]
    found += [_unvalidated(r) for r in ok if r.type == "document" and not _has_validator(r)]
    found.append(_weight(run))
    return found


def slowest_blocking(run: BrowserRun) -> Resource | None:
    """The render-blocking sub-resource that took longest, if any."""
    blocking = [r for r in run.resources if r.render_blocking and r.type != "document"]
    return max(blocking, key=lambda r: r.duration_ms, default=None)


def _render_blocking(resources: list[Resource]) -> list[Finding]:
    blocking = [r for r in resources if r.render_blocking and r.type != "document"]
    return [
        Finding(
            "render-blocking",
            "warning",
            f"render-blocking {r.type} in <head>: {r.url} took {fixed(r.duration_ms, 0, 'ms')} and "
            f"nothing is painted until it is done; {_UNBLOCK.get(r.type, _UNBLOCK['script'])}",
            r.url,
        )
        for r in sorted(blocking, key=lambda r: -r.duration_ms)
    ]


def _redirects(run: BrowserRun) -> list[Finding]:
    if not run.redirects:
        return []
    chain = " → ".join(run.redirects)
    return [
        Finding(
            "redirect",
            "warning",
            f"{len(run.redirects)} redirect(s) before the page: {chain}; link to the final URL",
            run.redirects[0],
        )
    ]


def _is_uncompressed(resource: Resource) -> bool:
    content_type = resource.headers.get("content-type", "").lower()
    return (
        not resource.from_cache
        and resource.body_bytes >= COMPRESS_ABOVE
        and any(kind in content_type for kind in _COMPRESSIBLE)
        and resource.headers.get("content-encoding", "identity").lower() == "identity"
    )


def _uncompressed(resource: Resource) -> Finding:
    return Finding(
        "uncompressed",
        "warning",
        f"{resource.url} ({resource.body_bytes:,} bytes of {resource.type}) is sent without "
        "compression; enable gzip or brotli for it",
        resource.url,
    )


def _has_freshness(resource: Resource) -> bool:
    return "cache-control" in resource.headers or "expires" in resource.headers


def _uncached(resource: Resource) -> Finding:
    return Finding(
        "no-cache-headers",
        "warning",
        f"static {resource.type} {resource.url} has no Cache-Control or Expires: browsers "
        "guess how long to keep it; give hashed assets Cache-Control: max-age=31536000, immutable",
        resource.url,
    )


def _has_validator(resource: Resource) -> bool:
    return "etag" in resource.headers or "last-modified" in resource.headers


def _unvalidated(resource: Resource) -> Finding:
    return Finding(
        "no-validators",
        "info",
        f"the page {resource.url} has no ETag or Last-Modified, so a repeat view downloads it "
        "again in full; Django's ConditionalGetMiddleware adds an ETag",
        resource.url,
    )


def _weight(run: BrowserRun) -> Finding:
    total = sum(r.transfer_bytes for r in run.resources)
    heavy = total > HEAVY_BYTES
    return Finding(
        "bytes",
        "warning" if heavy else "info",
        f"{total:,} bytes over the wire in {len(run.resources)} response(s)"
        + ("; that is heavy for a phone" if heavy else ""),
    )
