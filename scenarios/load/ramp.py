"""The browse scenario under a ramp: up to --users in steps over the first half, hold, done.

perfkit load ramp --users 50 --duration 60s

A LoadTestShape decides the user count itself, so it reads perfkit's --users and --duration
from the environment perfkit load sets (PERFKIT_LOAD_USERS, PERFKIT_LOAD_DURATION).
"""

from __future__ import annotations

import math
import os

from browse import Reader  # noqa: F401 - the users this shape drives
from locust import LoadTestShape

STEPS = 4


class Ramp(LoadTestShape):
    """STEPS equal steps up to the peak during the first half of the run, then hold."""

    peak = int(os.environ.get("PERFKIT_LOAD_USERS", "20"))
    duration = float(os.environ.get("PERFKIT_LOAD_DURATION", "60"))

    def tick(self) -> tuple[int, float] | None:
        elapsed = self.get_run_time()
        if elapsed >= self.duration:
            return None
        step = min(STEPS, 1 + math.floor(elapsed / (self.duration / 2 / STEPS)))
        users = max(1, math.ceil(self.peak * step / STEPS))
        return users, float(users)
