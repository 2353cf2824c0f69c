"""One load run: Locust in a subprocess, the live view, then every tier's numbers joined."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.live import Live

from perfkit.errors import LoadError
from perfkit.load import locust_process, open_model, py_spy, summarise
from perfkit.load.live import LiveStats
from perfkit.load.locust_process import LocustRun, start
from perfkit.load.result import CacheStats, LoadResult, PgbouncerStats, StackInfo, TierReport
from perfkit.load.timings import Request, Tail
from perfkit.recording import Recording
from perfkit.stack.state import StackState
from perfkit.stack.stats import cache_tier, nginx, pgbouncer, window

POLL_S = 0.5
GRACE_S = 30.0
DB_NAME = "perfkit"


@dataclass
class _StackPart:
    """What only a run on the stack has; the defaults are a run against ``--host``."""

    lines: list[nginx.AccessLine] | None = None
    records: list[Recording] | None = None
    tiers: TierReport = field(default_factory=TierReport)
    stack: StackInfo | None = None


def run(
    spec: LocustRun,
    out_dir: Path,
    *,
    stack: StackState | None,
    console: Console,
    label: str = "",
    profile_app: bool = False,
    during: Callable[[float], None] | None = None,
) -> LoadResult:
    """Run ``spec``; with ``stack``, join nginx's log, the store and the tier counters."""
    out_dir.mkdir(parents=True, exist_ok=True)
    # This run's files only: an earlier run's Locust log would lend this one its error.
    own = ("users.jsonl", "locust.out", "locust.log")
    for old in [*out_dir.glob("requests-*.jsonl"), *(out_dir / name for name in own)]:
        old.unlink(missing_ok=True)
    before: dict[str, Any] = {}
    pooler_admin_url = ""
    spy_binary: str | None = None
    app_pids: dict[str, int] = {}
    if stack is not None:
        before = _counters(stack)
        pooler_admin_url = stack.pooler_admin_url
        if profile_app:
            spy_binary = py_spy.find()
            app_pids = {t.name: t.pid for t in stack.tier("app")}
        # Scenarios pick ids that exist: the demo has stories 1..size.
        size = str(stack.options.get("size", ""))
        spec = replace(spec, env=(*spec.env, ("PERFKIT_DEMO_SIZE", size)))
    pool_samples: list[dict[str, float]] = []
    window_start = time.time()
    process = start(spec, out_dir)
    profiler = None
    try:
        if spy_binary is not None:
            profiler = py_spy.start(spy_binary, app_pids, out_dir, spec.duration_s)
        requests, dropped = _watch(
            process, spec, out_dir, pooler_admin_url, label, during, console, pool_samples
        )
    except BaseException:
        _kill(process)
        if profiler is not None:
            py_spy.finish(profiler, timeout=0)
        raise
    window_end = time.time()
    if process.returncode != 0 or not requests:
        raise LoadError(f"Locust failed (exit {process.returncode}): {_locust_error(out_dir)}")
    part = (
        _StackPart()
        if stack is None
        else _join(stack, requests, window_start, window_end, before, pool_samples)
    )
    profiles = [] if profiler is None else py_spy.finish(profiler, timeout=GRACE_S)
    return summarise.summarise(
        scenario=spec.scenario.name,
        host=spec.host,
        label=label,
        users=spec.users,
        started=min(r.t for r in requests),
        ended=max(r.t + r.ms / 1000.0 for r in requests),
        requests=requests,
        lines=part.lines,
        records=part.records,
        user_samples=_user_samples(out_dir),
        tiers=part.tiers,
        stack=part.stack,
        profiles=profiles,
        open_model=None
        if not spec.rate
        else open_model.summarise(requests, dropped, spec.rate, spec.duration_s, spec.users),
    )


def _join(
    stack: StackState,
    requests: list[Request],
    window_start: float,
    window_end: float,
    before: dict[str, Any],
    pools: list[dict[str, float]],
) -> _StackPart:
    """The run's nginx log lines, the store's records of it and the tier counters' change."""
    # Before reading the store: a Redis store's reads would count as cache hits.
    after = _counters(stack)
    access_log = Path(stack.run_dir) / "logs" / "nginx-access.log"
    lines = nginx.read(access_log, window_start, window_end + 1)
    expected = summarise.reconcile(requests, lines, None).proxied or 0
    return _StackPart(
        lines=lines,
        records=window.settled(stack.store_url, window_start, window_end + 1, expected),
        tiers=_tier_report(stack, before, after, pools),
        stack=StackInfo(url=stack.url, options=stack.options),
    )


def _watch(
    process: Any,
    spec: LocustRun,
    out_dir: Path,
    pooler_admin_url: str,
    label: str,
    during: Callable[[float], None] | None,
    console: Console,
    pool_samples: list[dict[str, float]],
) -> tuple[list[Request], list[int]]:
    """Follow Locust until it exits: the live view, pgbouncer's pools, the caller's hook.

    Returns the requests and, under ``--rate``, the slots of the dropped arrivals."""
    live = LiveStats(out_dir, spec.duration_s, label or spec.scenario.name)
    tail = Tail(out_dir)
    requests: list[Request] = []
    window_start = time.time()
    waiting = locust_process.WORKER_WAIT_S if spec.expect_workers else 0.0
    deadline = time.monotonic() + spec.duration_s + GRACE_S + waiting
    show = console.is_terminal
    with (
        Live(live.table(0), console=console, transient=False, auto_refresh=False)
        if show
        else (contextlib.nullcontext()) as view
    ):
        while process.poll() is None:
            time.sleep(POLL_S)
            now = time.time()
            fresh = tail.read_new()
            requests.extend(fresh)
            live.add(fresh, now)
            if spec.rate:
                live.extra["dropped"] = str(len(tail.dropped))
            if pooler_admin_url:
                with contextlib.suppress(Exception):
                    pool_samples.append(pgbouncer.pools(pooler_admin_url, DB_NAME))
            if during is not None:
                during(now - window_start)
            if view is not None:
                view.update(live.table(now - window_start), refresh=True)
            if time.monotonic() > deadline:
                raise LoadError(f"Locust did not stop within {GRACE_S:.0f}s of --duration")
    requests.extend(tail.read_new())
    return requests, tail.dropped


def _kill(process: Any) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


#: What Locust prints when the scenario defines no User class: with pytest installed it
#: then tries the file as pytest tests, which fails with an unrelated warning.
_NO_USER_CLASS = ("No User class found", "load_locustfile_pytest")


def _locust_error(out_dir: Path) -> str:
    for name in ("locust.out", "locust.log"):
        with contextlib.suppress(OSError):
            text = (out_dir / name).read_text()
            if any(sign in text for sign in _NO_USER_CLASS):
                return "the scenario defines no Locust User class: add one based on HttpUser"
            lines = [x for x in text.splitlines() if x.strip()]
            errors = [x for x in lines if "Error" in x or "error" in x]
            if errors or lines:
                return (errors or lines)[-1].strip()[:300]
    return "no requests were made"


def _user_samples(out_dir: Path) -> list[dict[str, float]]:
    with contextlib.suppress(OSError):
        return [json.loads(x) for x in (out_dir / "users.jsonl").read_text().splitlines() if x]
    return []


def _counters(stack: StackState) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if stack.pooler_admin_url:
        with contextlib.suppress(Exception):
            found["pgbouncer"] = pgbouncer.stats(stack.pooler_admin_url, DB_NAME)
    with contextlib.suppress(Exception):
        found["cache"] = cache_tier.counters(stack.cache_url)
    return found


def _tier_report(
    stack: StackState,
    before: dict[str, Any],
    after: dict[str, Any],
    pools: list[dict[str, float]],
) -> TierReport:
    report = TierReport()
    if "pgbouncer" in before and "pgbouncer" in after:
        delta = {k: after["pgbouncer"][k] - before["pgbouncer"][k] for k in before["pgbouncer"]}
        xacts = delta["xacts"] or float("nan")
        report.pgbouncer = PgbouncerStats(
            transactions=int(delta["xacts"]),
            queries=int(delta["queries"]),
            wait_ms_total=delta["wait_us"] / 1000.0,
            wait_ms_per_transaction=delta["wait_us"] / 1000.0 / xacts,
            transaction_ms_mean=delta["xact_us"] / 1000.0 / xacts,
            max_clients_waiting=int(max((p["cl_waiting"] for p in pools), default=0)),
            max_wait_ms=max((p["maxwait_ms"] for p in pools), default=0.0),
        )
    if before.get("cache") and after.get("cache"):
        hits = after["cache"]["hits"] - before["cache"]["hits"]
        misses = after["cache"]["misses"] - before["cache"]["misses"]
        report.cache = CacheStats(
            kind=stack.options.get("cache", ""),
            hits=hits,
            misses=misses,
            hit_ratio=hits / (hits + misses) if hits + misses else float("nan"),
        )
    return report
