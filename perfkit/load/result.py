"""The result of one load run: endpoints, tier attribution, reconciliation, timeline, tiers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, TypedDict


@dataclass
class Attribution:
    """Mean milliseconds per request spent in each tier (NaN when not measured)."""

    client_ms: float
    nginx_ms: float
    upstream_connect_ms: float
    app_ms: float
    db_ms: float
    cache_ms: float
    #: Outbound HTTP calls the app made (Server-Timing ``http``; 0 for a request without).
    http_ms: float = 0.0


@dataclass
class Endpoint:
    """One Locust request name: counts and exact latency percentiles in milliseconds."""

    name: str
    method: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float
    max: float
    mean: float
    attribution: Attribution


@dataclass
class Reconciliation:
    """Requests counted at each tier; a difference is loss between two tiers."""

    sent: int
    answered: int
    redirects: int
    nginx_logged: int | None
    proxied: int | None
    recorded: int | None
    losses: list[str] = field(default_factory=list)


@dataclass
class ErrorWindow:
    """Failures (client-visible) and failovers (nginx retried another app server)."""

    failures: int
    first_failure: float | None
    last_failure: float | None
    failovers: int
    first_failover: float | None
    last_failover: float | None
    by_error: dict[str, int] = field(default_factory=dict)


class TimelinePoint(TypedDict):
    """One second of the run: requests started then, their p50 and p95, failures, users."""

    t: float
    rps: float
    p50: float
    p95: float
    failures: float
    users: float


@dataclass
class PgbouncerStats:
    """pgbouncer's counters over the run and the most its pools kept clients waiting."""

    transactions: int
    queries: int
    wait_ms_total: float
    wait_ms_per_transaction: float
    transaction_ms_mean: float
    max_clients_waiting: int
    max_wait_ms: float


@dataclass
class CacheStats:
    """The cache tier's hits and misses over the run (``hit_ratio`` NaN without either)."""

    kind: str
    hits: int
    misses: int
    hit_ratio: float


@dataclass
class TierReport:
    """The tier counters a run on the stack read; a tier without counters is None."""

    pgbouncer: PgbouncerStats | None = None
    cache: CacheStats | None = None


@dataclass
class ViewLoad:
    """One view, from the store's records of the run: per-request means and cache totals."""

    view: str
    requests: int
    queries_per_request: float
    db_ms: float
    wall_ms: float
    cache_hits: int
    cache_misses: int
    #: Outbound HTTP calls and their time, per request.
    http_calls_per_request: float = 0.0
    http_ms: float = 0.0


@dataclass
class StackInfo:
    """The stack a run went to: its URL and the options it was started with."""

    url: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Profile:
    """One py-spy output file of one app server (``format``: speedscope or flamegraph)."""

    app_server: str
    format: str
    path: str


@dataclass
class OpenModel:
    """The open model (``--rate``): arrivals asked for and made, and their latency measured
    from each arrival's intended start (``intended_*``) beside the send-based (``sent_*``).

    ``scheduled`` arrivals fell due within the run; ``sent`` started; ``dropped`` found every
    user busy and ``max_users`` reached; ``late`` started over ``late_after_ms`` after their
    slot (the load generator fell behind). Latencies in milliseconds; rates per second.
    """

    target_rate: float
    achieved_rate: float
    max_users: int
    scheduled: int
    sent: int
    dropped: int
    late: int
    late_after_ms: float
    intended_p50: float
    intended_p95: float
    intended_p99: float
    intended_max: float
    sent_p50: float
    sent_p95: float
    sent_p99: float
    sent_max: float


@dataclass
class LoadResult:
    """Everything a renderer needs about one run: ``mode`` is ``users`` (Locust's closed
    model, ``--users``) or ``rate`` (the open model, ``--rate``, with ``open_model``)."""

    scenario: str
    host: str
    label: str
    users: int
    duration_s: float
    started: float
    ended: float
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float
    endpoints: list[Endpoint]
    timeline: list[TimelinePoint]
    reconciliation: Reconciliation
    errors: ErrorWindow
    tiers: TierReport = field(default_factory=TierReport)
    views: list[ViewLoad] = field(default_factory=list)
    stack: StackInfo | None = None
    profiles: list[Profile] = field(default_factory=list)
    mode: str = "users"
    open_model: OpenModel | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: ``tiers`` holds only the tiers measured, ``stack`` is ``{}`` without
        the stack, else its options beside ``url``."""
        data = asdict(self)
        data["tiers"] = {name: stats for name, stats in data["tiers"].items() if stats is not None}
        data["stack"] = {} if self.stack is None else {"url": self.stack.url, **self.stack.options}
        return data
