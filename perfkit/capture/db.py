"""The query recorder: a ``connection.execute_wrapper`` installed once per connection."""

from __future__ import annotations

import functools
import hashlib
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
from perfkit.recording import QueryEvent, current_recording

logger = logging.getLogger("perfkit")


@functools.cache
def _finder(ignore: tuple[str, ...]) -> CallsiteFinder:
    return CallsiteFinder(ignore)


def _record(
    alias: str, sql: str, params: Any, many: bool, cursor: Any, started: float, ended: float
) -> None:
    config = conf.get_config()
    fp, normalized = fingerprint(sql)
    rows = getattr(cursor, "rowcount", -1)
    recording = current_recording.get()
    callsite = ""
    if config["CALLSITES"] and recording is not None:
        # Walking the stack is the costly part (CPython builds a frame object for each level
        # it passes), so a statement's call site is found once per request: an N+1 group's
        # fifty executions share the line that issued the first.
        callsite = recording.callsites.get(fp, "")
        if not callsite:
            callsite = _finder(tuple(config["CALLSITE_IGNORE"])).find(sys._getframe(3))
            recording.callsites[fp] = callsite
    event = QueryEvent(
        alias=alias,
        fingerprint=fp,
        sql=normalized,
        duration_ms=(ended - started) * 1000.0,
        rows=rows if isinstance(rows, int) and rows >= 0 and not many else None,
        callsite=callsite,
        many=many,
        params=repr(params)[:1000] if config["RECORD_PARAMS"] else None,
        params_hash=_params_hash(params),
    )
    if recording is not None:
        recording.queries.append(event)


#: Parameters are hashed with a key that lives only in this process: equal hashes mean the
#: same parameters within one process (so repeated queries can be found), and nobody can
#: test guesses of a value against a stored hash.
_PARAMS_KEY = os.urandom(16)


def _params_hash(params: Any) -> str:
    return hashlib.blake2b(repr(params).encode(), key=_PARAMS_KEY, digest_size=8).hexdigest()


class QueryRecorder:
    """Times each query on one connection and appends it to the current Recording."""

    def __init__(self, alias: str) -> None:
        self.alias = alias

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict
    ) -> Any:
        if current_recording.get() is None:
            return execute(sql, params, many, context)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ended = time.perf_counter()
            try:
                _record(self.alias, sql, params, many, context.get("cursor"), started, ended)
            except Exception:
                health.count_error("recording a query")


def attach(connection: BaseDatabaseWrapper) -> None:
    """Install the recorder on one connection, once."""
    if not any(isinstance(w, QueryRecorder) for w in connection.execute_wrappers):
        connection.execute_wrappers.append(QueryRecorder(connection.alias))


def _on_connection_created(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    attach(connection)


def install() -> None:
    """Record on every connection: those that exist now and every one created later."""
    connection_created.connect(_on_connection_created, dispatch_uid="perfkit.capture.db")
    for connection in connections.all(initialized_only=True):
        attach(connection)
