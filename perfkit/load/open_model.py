"""The open model's numbers: arrivals asked for, sent, dropped and late, and the latency of
every request measured from its arrival's intended start beside the send-based latency."""

from __future__ import annotations

import math

from perfkit.load.result import OpenModel
from perfkit.load.timings import Request
from perfkit.quantiles import percentile

#: An arrival that started more than this after its slot counts as late.
LATE_AFTER_MS = 10.0


def summarise(
    requests: list[Request], dropped: list[int], rate: float, duration_s: float, max_users: int
) -> OpenModel:
    """``requests`` and ``dropped`` slots of a ``--rate`` run of ``duration_s`` seconds."""
    lags: dict[int, float] = {}
    for request in requests:
        if request.slot is not None:
            lags.setdefault(request.slot, request.lag_ms)
    intended = sorted(r.intended_ms for r in requests)
    sent = sorted(r.ms for r in requests)
    return OpenModel(
        target_rate=rate,
        achieved_rate=len(lags) / duration_s,
        max_users=max_users,
        scheduled=math.ceil(rate * duration_s - 1e-9),
        sent=len(lags),
        dropped=len(set(dropped)),
        late=sum(lag > LATE_AFTER_MS for lag in lags.values()),
        late_after_ms=LATE_AFTER_MS,
        intended_p50=percentile(intended, 50),
        intended_p95=percentile(intended, 95),
        intended_p99=percentile(intended, 99),
        intended_max=intended[-1] if intended else math.nan,
        sent_p50=percentile(sent, 50),
        sent_p95=percentile(sent, 95),
        sent_p99=percentile(sent, 99),
        sent_max=sent[-1] if sent else math.nan,
    )
