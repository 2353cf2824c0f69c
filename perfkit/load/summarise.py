"""Turn exact request timings, nginx's log and the store's records into a LoadResult."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from perfkit.load.result import (
    Attribution,
    Endpoint,
    ErrorWindow,
    LoadResult,
    OpenModel,
    Profile,
    Reconciliation,
    StackInfo,
    TierReport,
    TimelinePoint,
    ViewLoad,
)
from perfkit.load.timings import Request, mean
from perfkit.quantiles import percentile
from perfkit.recording import Recording
from perfkit.stack.stats.nginx import AccessLine

IGNORED_PREFIXES = ("/static/", "/media/", "/favicon.ico")
# The last upstream status nginx logs when no app server answered at all.
NGINX_MADE = (("502",), ("504",))


def endpoints(
    requests: list[Request], lines: dict[str, AccessLine], duration_s: float
) -> list[Endpoint]:
    """Per Locust name: counts, exact percentiles and where the time went, tier by tier."""
    groups: dict[tuple[str, str], list[Request]] = defaultdict(list)
    for request in requests:
        groups[(request.name, request.method)].append(request)
    result = []
    for (name, method), group in sorted(groups.items()):
        times = sorted(r.ms for r in group)
        seen = [(r, lines[r.request_id]) for r in group if r.request_id in lines]
        # nginx logs whole milliseconds: clamp the rounding below zero away.
        nginx = [max(line.request_ms - (line.upstream_ms or 0.0), 0.0) for _, line in seen]
        client = [max(r.ms - line.request_ms, 0.0) for r, line in seen]
        connect = [line.upstream_connect_ms or 0.0 for _, line in seen if line.proxied]
        timed = [r.timing for r in group if r.timing]
        result.append(
            Endpoint(
                name=name,
                method=method,
                requests=len(group),
                failures=sum(r.failed for r in group),
                rps=len(group) / duration_s if duration_s > 0 else math.nan,
                p50=percentile(times, 50),
                p95=percentile(times, 95),
                p99=percentile(times, 99),
                max=times[-1],
                mean=mean(times),
                attribution=Attribution(
                    client_ms=mean(client),
                    nginx_ms=mean(nginx),
                    upstream_connect_ms=mean(connect),
                    app_ms=mean([t.get("app", 0.0) for t in timed]),
                    db_ms=mean([t.get("db", 0.0) for t in timed]),
                    cache_ms=mean([t.get("cache", 0.0) for t in timed]),
                    http_ms=mean([t.get("http", 0.0) for t in timed]),
                ),
            )
        )
    return result


def reconcile(
    requests: list[Request], lines: list[AccessLine] | None, recorded: int | None
) -> Reconciliation:
    """Locust's count against nginx's log against the store's records; differences are loss.

    ``lines`` is None without the stack (``--host``): only Locust's own count is known.
    """
    if lines is None:
        answered = sum(1 for r in requests if r.status)
        followed = sum(r.redirects for r in requests if r.status)
    else:
        answered = sum(1 for r in requests if r.request_id)
        followed = sum(r.redirects for r in requests if r.request_id)
    losses = []
    if answered < len(requests):
        losses.append(f"{len(requests) - answered} requests sent got no answer")
    proxied = None
    if lines is not None:
        app_bound = [line for line in lines if not line.uri.startswith(IGNORED_PREFIXES)]
        proxied = sum(
            1
            for line in app_bound
            if line.proxied and line.upstream_statuses[-1:] not in NGINX_MADE
        )
        if len(lines) != answered + followed:
            losses.append(
                f"nginx logged {len(lines)} requests, Locust got {answered} answers "
                f"after {followed} redirects"
            )
        if recorded is not None and recorded != proxied:
            losses.append(f"{proxied} requests reached an app server, the store holds {recorded}")
    return Reconciliation(
        sent=len(requests),
        answered=answered,
        redirects=followed,
        nginx_logged=None if lines is None else len(lines),
        proxied=proxied,
        recorded=recorded,
        losses=losses,
    )


def error_window(requests: list[Request], lines: list[AccessLine]) -> ErrorWindow:
    """When failures and nginx failovers happened, and how many."""
    failed = sorted(r.t for r in requests if r.failed)
    over = sorted(line.end for line in lines if line.failed_over)
    kinds = Counter((r.error or "")[:80] for r in requests if r.failed)
    return ErrorWindow(
        failures=len(failed),
        first_failure=failed[0] if failed else None,
        last_failure=failed[-1] if failed else None,
        failovers=len(over),
        first_failover=over[0] if over else None,
        last_failover=over[-1] if over else None,
        by_error=dict(kinds.most_common(10)),
    )


def timeline(
    requests: list[Request], users: list[dict[str, float]], start: float
) -> list[TimelinePoint]:
    """One point per second: requests/s, p50 and p95 of requests started then, failures, users."""
    buckets: dict[int, list[Request]] = defaultdict(list)
    for request in requests:
        buckets[int(request.t - start)].append(request)
    user_at: dict[int, float] = {}
    for sample in users:
        user_at[int(sample["t"] - start)] = sample["users"]
    points: list[TimelinePoint] = []
    last_users = 0.0
    for second in range(max(buckets, default=-1) + 1):
        group = buckets.get(second, [])
        times = sorted(r.ms for r in group)
        last_users = user_at.get(second, last_users)
        points.append(
            TimelinePoint(
                t=float(second),
                rps=float(len(group)),
                p50=percentile(times, 50),
                p95=percentile(times, 95),
                failures=float(sum(r.failed for r in group)),
                users=last_users,
            )
        )
    return points


def views(recordings: list[Recording]) -> list[ViewLoad]:
    """Per view from the store's recordings: requests, queries, DB, cache and outbound HTTP
    time per request."""
    groups: dict[str, list[Recording]] = defaultdict(list)
    for recording in recordings:
        groups[recording.view].append(recording)
    return [
        ViewLoad(
            view=view,
            requests=len(group),
            queries_per_request=mean([float(len(r.queries)) for r in group]),
            db_ms=mean([r.db_ms for r in group]),
            wall_ms=mean([r.wall_ms for r in group]),
            cache_hits=sum(r.cache_hits for r in group),
            cache_misses=sum(r.cache_misses for r in group),
            http_calls_per_request=mean([float(len(r.http_calls)) for r in group]),
            http_ms=mean([r.http_ms for r in group]),
        )
        for view, group in sorted(groups.items())
    ]


def summarise(
    *,
    scenario: str,
    host: str,
    label: str,
    users: int,
    started: float,
    ended: float,
    requests: list[Request],
    lines: list[AccessLine] | None,
    records: list[Recording] | None,
    user_samples: list[dict[str, float]],
    tiers: TierReport | None = None,
    stack: StackInfo | None = None,
    profiles: list[Profile] | None = None,
    open_model: OpenModel | None = None,
) -> LoadResult:
    """The whole result of one run (only a run on the stack has tiers, stack and profiles;
    only a ``--rate`` run has ``open_model``)."""
    duration = max(ended - started, 1e-9)
    by_id = {line.request_id: line for line in lines or []}
    times = sorted(r.ms for r in requests)
    return LoadResult(
        scenario=scenario,
        host=host,
        label=label,
        users=users,
        duration_s=duration,
        started=started,
        ended=ended,
        requests=len(requests),
        failures=sum(r.failed for r in requests),
        rps=len(requests) / duration,
        p50=percentile(times, 50),
        p95=percentile(times, 95),
        p99=percentile(times, 99),
        endpoints=endpoints(requests, by_id, duration),
        timeline=timeline(requests, user_samples, started),
        reconciliation=reconcile(requests, lines, None if records is None else len(records)),
        errors=error_window(requests, lines or []),
        views=views(records or []),
        tiers=tiers or TierReport(),
        stack=stack,
        profiles=profiles or [],
        mode="users" if open_model is None else "rate",
        open_model=open_model,
    )
