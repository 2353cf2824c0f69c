"""Points in time given on the command line: a duration back from now, or an ISO date-time."""

from __future__ import annotations

import re
from datetime import datetime

from perfkit.errors import UsageError

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_time(text: str, now: float, option: str) -> float:
    """Epoch seconds from ``30m``/``6h``/``2d`` (that long before ``now``) or an ISO date-time;
    anything else is a ``UsageError`` naming ``option``."""
    match = _DURATION.match(text.strip())
    if match:
        return now - float(match[1]) * _SECONDS[match[2]]
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is neither a duration (30m, 6h, 2d) nor an ISO date-time"
        ) from None


def parse_since(text: str | None, now: float) -> float | None:
    """``perfkit report --since``: :func:`parse_time`, or None when the option is not given."""
    return None if text is None else parse_time(text, now, "--since")
