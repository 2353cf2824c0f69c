"""`perfkit load`: Locust scenarios in a subprocess, exact timings, tier attribution, reports."""

from __future__ import annotations

from perfkit.errors import PerfkitError


class LoadError(PerfkitError):
    """The load run could not start or finish; the message is one line."""
