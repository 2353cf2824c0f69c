"""Imported by the Locust plugin (never by perfkit): the open model, arrivals at a fixed rate.

With $PERFKIT_LOAD_RATE set, perfkit runs Locust with no users of its own. When the test
starts, the local runner (or the master) picks a start time t0 half a second ahead and gives
each of the N processes that make requests a plan: process k owns the arrivals k, k+N, k+2N…,
and arrival i is due at t0 + i/rate, so the processes interleave into the asked rate. At its
time an arrival takes an idle virtual user (an instance of the scenario's User class, picked
by weight as Locust would, its ``on_start`` run once when it is made), or makes a new one while
fewer than the bound exist, and runs one of its tasks, picked by weight. Every request of the
arrival carries its slot and how late the arrival started (``lag_ms``): the latency from the
intended start is the request's own time plus that lag, so a slow server cannot hide the
requests it held back (no coordinated omission). An arrival that finds every user busy and
the bound reached is not sent: it is written as dropped, never silently delayed.
"""

from __future__ import annotations

import logging
import math
import os
import random
import time
import traceback
from collections.abc import Callable
from typing import Any

import gevent
from locust import events
from locust.exception import InterruptTaskSet, RescheduleTask, StopUser
from locust.runners import MasterRunner, WorkerRunner
from locust.user.task import DefaultTaskSet, TaskSet

RATE = float(os.environ.get("PERFKIT_LOAD_RATE") or 0)
MAX_USERS = int(os.environ.get("PERFKIT_LOAD_MAX_USERS") or 0)
DURATION_S = float(os.environ.get("PERFKIT_LOAD_DURATION") or 0)
# Time for the plans to reach the workers before the first arrival is due.
LEAD_S = 0.5
# Users made ahead of t0: enough for requests of up to this long at the process's rate.
PREALLOCATE_S = 0.1
MESSAGE = "perfkit_open_plan"

_writers: list[Callable[[dict[str, Any]], None]] = []
_users: list[int] = [0]


def users() -> int:
    """The virtual users this process has made (and not lost to StopUser)."""
    return _users[0]


def install(write: Callable[[dict[str, Any]], None]) -> None:
    """Listen for the test's start; ``write`` takes the plugin's dropped-arrival lines."""
    _writers.append(write)
    events.init.add_listener(_on_init)
    events.test_start.add_listener(_on_test_start)


def _on_init(environment: Any, **kwargs: Any) -> None:
    runner = environment.runner
    if not isinstance(runner, MasterRunner):
        runner.register_message(MESSAGE, _on_plan)
    if RATE and not isinstance(runner, WorkerRunner):
        # A LoadTestShape sets user counts; under --rate the arrivals replace it.
        environment.shape_class = None


def _on_test_start(environment: Any, **kwargs: Any) -> None:
    runner = environment.runner
    if not RATE or isinstance(runner, WorkerRunner):
        return
    t0 = time.time() + LEAD_S
    if isinstance(runner, MasterRunner):
        workers = sorted(w.id for w in runner.clients.ready + runner.clients.running)
    else:
        workers = ["local"]
    count = len(workers)
    for index, client_id in enumerate(workers):
        plan = {
            "t0": t0,
            "end": t0 + DURATION_S,
            "rate": RATE,
            "index": index,
            "count": count,
            "max_users": max(1, math.ceil(MAX_USERS / count)),
            # A worker learns --host from its first spawn message, which may come later.
            "host": environment.host,
        }
        if isinstance(runner, MasterRunner):
            runner.send_message(MESSAGE, plan, client_id)
        else:
            runner.send_message(MESSAGE, plan)


def _on_plan(environment: Any, msg: Any, **kwargs: Any) -> None:
    gevent.spawn(_arrivals, environment, msg.data)


def _arrivals(environment: Any, plan: dict[str, Any]) -> None:
    """Start this process's arrivals on time, each on an idle user or a new one."""
    classes = environment.user_classes
    if plan["host"]:
        environment.host = plan["host"]
        for user_class in classes:
            user_class.host = plan["host"]
    weights = [getattr(c, "weight", 1) or 1 for c in classes]
    idle: list[Any] = []
    rate, count = plan["rate"], plan["count"]

    def arrive(user: Any, slot: int | None, due: float) -> None:
        context = user.perfkit_context
        try:
            if user.perfkit_new:
                user.perfkit_new = False
                user.on_start()
            if slot is None:
                idle.append(user)
                return
            context.update(slot=slot, lag_ms=max(0.0, (time.time() - due) * 1000.0))
            _one_task(user)
        except StopUser:
            _users[0] -= 1
            return
        except (RescheduleTask, InterruptTaskSet):
            pass
        except Exception as error:
            environment.events.user_error.fire(
                user_instance=user, exception=error, tb=error.__traceback__
            )
            logging.error("%s\n%s", error, "".join(traceback.format_tb(error.__traceback__)))
        context.clear()
        idle.append(user)

    def make() -> Any:
        user = random.choices(classes, weights)[0](environment)
        # The plugin writes this context into every request line of the arrival.
        context: dict[str, Any] = {}
        own = user.context
        user.context = lambda: {**own(), **context}
        user.perfkit_context = context
        user.perfkit_new = True
        _users[0] += 1
        return user

    per_process = rate / count
    for _ in range(min(plan["max_users"], math.ceil(per_process * PREALLOCATE_S))):
        gevent.spawn(arrive, make(), None, 0.0)
    k = 0
    while True:
        slot = plan["index"] + k * count
        due = plan["t0"] + slot / rate
        if due >= plan["end"]:
            return
        k += 1
        gevent.sleep(max(0.0, due - time.time()))
        if idle:
            user = idle.pop()
        elif _users[0] < plan["max_users"]:
            user = make()
        else:
            for write in _writers:
                write({"dropped": due, "slot": slot})
            continue
        gevent.spawn(arrive, user, slot, due)


def _one_task(user: Any) -> None:
    """One task of ``user``, picked by weight; a nested TaskSet gives one of its own."""
    owner: Any = DefaultTaskSet(user)
    task = owner.get_next_task()
    while isinstance(task, type) and issubclass(task, TaskSet):
        owner = task(owner)
        task = owner.get_next_task()
    owner.execute_task(task)
