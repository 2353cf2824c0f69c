"""The result of one load run: endpoints, tier attribution, reconciliation, timeline."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Attribution:
    """Mean milliseconds per request spent in each tier (NaN when not measured)."""

    client_ms: float
    nginx_ms: float
    upstream_connect_ms: float
    app_ms: float
    db_ms: float
    cache_ms: float


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


@dataclass
class LoadResult:
    """Everything a renderer needs about one run."""

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
    timeline: list[dict[str, float]]
    reconciliation: Reconciliation
    errors: ErrorWindow
    tiers: dict[str, Any] = field(default_factory=dict)
    views: list[dict[str, Any]] = field(default_factory=list)
    stack: dict[str, Any] = field(default_factory=dict)
    profiles: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
