"""Loaded by Locust (never by perfkit): writes every request's exact timing as a JSON line.

Locust rounds response times in its stats; the ``request`` event carries the exact value.
Each Locust process perfkit started (the local runner, or a ``--processes`` worker) appends
to its own file in $PERFKIT_LOAD_DIR. A worker on another host (no $PERFKIT_LOAD_DIR) sends
its lines to the master with each stats report instead, and the master writes them. The
runner that owns the users also writes the user count every half second, so perfkit's live
view and report need nothing from Locust's own stats.

Under ``--rate`` (the open model, ``locust_open.py`` beside this file) a request line also
has its arrival's ``slot`` and ``lag_ms``, a dropped arrival is a line ``{"dropped": due,
"slot": n}``, and the user count is the virtual users the arrivals made.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import gevent
import locust_open  # beside this file: Locust puts a locustfile's directory on sys.path
from locust import events
from locust.runners import MasterRunner, WorkerRunner

_OUT_DIR = os.environ.get("PERFKIT_LOAD_DIR", "")
_files: dict[str, Any] = {}
_unsent: list[str] = []
_remote_users: dict[str, int] = {}


def _out(name: str) -> Any:
    """The file ``requests-NAME.jsonl``, opened once per process."""
    key = f"{name}:{os.getpid()}"
    if key not in _files:
        path = os.path.join(_OUT_DIR, f"requests-{name}.jsonl")
        _files[key] = open(path, "a", buffering=1)  # noqa: SIM115 - open while Locust runs
    return _files[key]


def _write(line: str) -> None:
    if _OUT_DIR:
        # Per pid: ``--processes`` forks the workers after this module is imported.
        _out(str(os.getpid())).write(line)
    else:
        _unsent.append(line)


def _write_dropped(line: dict[str, Any]) -> None:
    _write(json.dumps(line) + "\n")


locust_open.install(_write_dropped)


@events.report_to_master.add_listener
def _on_report_to_master(client_id: str, data: dict[str, Any], **kwargs: Any) -> None:
    data["perfkit_users"] = locust_open.users()
    if _unsent:
        data["perfkit_requests"] = list(_unsent)
        _unsent.clear()


@events.worker_report.add_listener
def _on_worker_report(client_id: str, data: dict[str, Any], **kwargs: Any) -> None:
    _remote_users[client_id] = data.get("perfkit_users", 0)
    lines = data.get("perfkit_requests")
    if lines and _OUT_DIR:
        _out("remote").write("".join(lines))


@events.request.add_listener
def _on_request(
    request_type: str,
    name: str,
    response_time: float,
    response_length: int,
    exception: Any = None,
    response: Any = None,
    start_time: float | None = None,
    url: str | None = None,
    context: dict[str, Any] | None = None,
    **kwargs: Any,
) -> None:
    headers = getattr(response, "headers", None) or {}
    line = {
        "t": start_time or time.time() - response_time / 1000.0,
        "method": request_type,
        "name": name,
        "ms": response_time,
        "bytes": response_length,
        "status": getattr(response, "status_code", 0) or 0,
        "error": None if exception is None else str(exception)[:200],
        "id": headers.get("X-Request-Id", ""),
        # Redirects Locust followed: each was one more request through nginx.
        "redirects": len(getattr(response, "history", None) or ()),
        "timing": headers.get("Server-Timing", ""),
        "url": url or "",
    }
    if context and "slot" in context:
        line.update(slot=context["slot"], lag_ms=context["lag_ms"])
    _write(json.dumps(line) + "\n")


@events.init.add_listener
def _on_init(environment: Any, **kwargs: Any) -> None:
    if isinstance(environment.runner, WorkerRunner) or not _OUT_DIR:
        return
    path = os.path.join(_OUT_DIR, "users.jsonl")

    def report_users() -> None:
        with open(path, "a", buffering=1) as out:
            while True:
                runner = environment.runner
                count = runner.user_count if runner is not None else 0
                count += locust_open.users()
                if isinstance(runner, MasterRunner):
                    count = sum(w.user_count for w in runner.clients.values())
                    count += sum(_remote_users.values())
                out.write(json.dumps({"t": time.time(), "users": count}) + "\n")
                gevent.sleep(0.5)

    gevent.spawn(report_users)
