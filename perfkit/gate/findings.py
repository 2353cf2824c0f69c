"""The gate's result: one finding per view and check, and the overall verdict."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

QUERY_COUNT = "query_count"
NEW_FINGERPRINTS = "new_fingerprints"
N_PLUS_ONE = "n_plus_one"
N_PLUS_ONE_API = "n_plus_one_api"
FULL_SCAN = "full_scan"
UNUSED_EAGER_LOAD = "unused_eager_load"
O_N = "o_n"
CACHE_HIT_RATIO = "cache_hit_ratio"
LATENCY = "latency"
CHECKS = (
    QUERY_COUNT,
    NEW_FINGERPRINTS,
    N_PLUS_ONE,
    N_PLUS_ONE_API,
    UNUSED_EAGER_LOAD,
    O_N,
    CACHE_HIT_RATIO,
    LATENCY,
    FULL_SCAN,
)

_CALLSITE = re.compile(r"^(?P<file>[^\s:]+):(?P<line>\d+)\b")


@dataclass
class Finding:
    """One check of one view: passed, failed or skipped, with what to look at."""

    view: str
    check: str
    passed: bool
    message: str
    callsite: str | None = None
    skipped: bool = False

    def location(self) -> tuple[str, int] | None:
        """(file, line) of the code line behind a failure, for CI annotations."""
        if not self.callsite:
            return None
        match = _CALLSITE.match(self.callsite)
        return (match["file"], int(match["line"])) if match else None


@dataclass
class GateResult:
    """Every finding of one gate run, and the machines it compared."""

    findings: list[Finding]
    latency_compared: bool
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Finding]:
        return [f for f in self.findings if not f.passed and not f.skipped]

    @property
    def passed(self) -> bool:
        return not self.failed
