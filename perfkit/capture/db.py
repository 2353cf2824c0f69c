"""The query recorder: a ``connection.execute_wrapper`` installed once per connection."""

from __future__ import annotations

import functools
import logging
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

from perfkit import conf, health
from perfkit.capture.callsite import CallsiteFinder
from perfkit.fingerprint import fingerprint
from perfkit.recording import QueryEvent, Recording, current_recording

logger = logging.getLogger("perfkit")


@functools.cache
def _finder(ignore: tuple[str, ...]) -> CallsiteFinder:
    return CallsiteFinder(ignore)


def _statement(sql: str, vendor: str, config: dict[str, Any]) -> tuple[str, str, str]:
    """``(fingerprint, normalized SQL, call site)`` of a statement's first execution."""
    fp, normalized = fingerprint(sql, vendor)
    callsite = ""
    if config["CALLSITES"]:
        # Frames: _statement, _event, QueryRecorder.__call__, then Django's cursor wrapper.
        callsite = _finder(tuple(config["CALLSITE_IGNORE"])).find(sys._getframe(3))
    return fp, normalized, callsite


def _event(
    recording: Recording,
    recorder: QueryRecorder,
    sql: str,
    params: Any,
    many: bool,
    cursor: Any,
    ms: float,
) -> QueryEvent:
    config = conf.get_config()
    # Walking the stack is the costly part (CPython builds a frame object for each level it
    # passes), so a statement's call site is found at most twice per request: at its first
    # execution and at its second, whose line every later execution shares. The second is
    # where a repetition starts: a per-row lookup whose first run was elsewhere (the
    # logged-in user, loaded by the auth middleware) is named by the loop that repeats it.
    seen = recording.seen_sql
    statement = seen.get(sql)
    if statement is None:
        statement = seen[sql] = _statement(sql, recorder.vendor, config)
    elif sql not in recording.sited_twice:
        recording.sited_twice.add(sql)
        if config["CALLSITES"]:
            callsite = _finder(tuple(config["CALLSITE_IGNORE"])).find(sys._getframe(2))
            statement = seen[sql] = (statement[0], statement[1], callsite)
    fp, normalized, callsite = statement
    # Django's CursorWrapper answers rowcount through a Python __getattr__: ask the driver's.
    rows = getattr(getattr(cursor, "cursor", cursor), "rowcount", -1)
    return QueryEvent(
        recorder.alias,
        fp,
        normalized,
        ms,
        rows if rows.__class__ is int and rows >= 0 and not many else None,
        callsite,
        many,
        repr(params)[:1000] if config["RECORD_PARAMS"] else None,
        hash(_PARAMS_SALT + repr(params)),
    )


#: Parameters are hashed with keys that live only in this process: equal hashes mean the same
#: parameters within one process (so repeated queries can be found), and nobody can test
#: guesses of a value against a stored hash. ``hash()`` of a str is SipHash keyed by the
#: process's random hash secret; the salt keeps it keyed even where PYTHONHASHSEED is fixed.
_PARAMS_SALT = os.urandom(16).hex()


class QueryRecorder:
    """Times each query on one connection and appends it to the current Recording."""

    def __init__(self, alias: str, vendor: str) -> None:
        self.alias = alias
        #: Which quotes delimit a value in this connection's SQL (see ``fingerprint``).
        self.vendor = vendor

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        recording = current_recording.get()
        if recording is None:
            return execute(sql, params, many, context)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ms = (time.perf_counter() - started) * 1000.0
            try:
                recording.queries.append(
                    _event(recording, self, sql, params, many, context.get("cursor"), ms)
                )
            except Exception:
                health.count_error("recording a query")


def attach(connection: BaseDatabaseWrapper) -> None:
    """Install the recorder on one connection, once."""
    if not any(isinstance(w, QueryRecorder) for w in connection.execute_wrappers):
        connection.execute_wrappers.append(QueryRecorder(connection.alias, connection.vendor))


def _on_connection_created(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    attach(connection)


def install() -> None:
    """Record on every connection: those that exist now and every one created later."""
    connection_created.connect(_on_connection_created, dispatch_uid="perfkit.capture.db")
    for connection in connections.all(initialized_only=True):
        attach(connection)
