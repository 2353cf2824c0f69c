"""The cache recorder: every call through Django's cache framework, on every alias."""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterable
from time import perf_counter
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache

from perfkit import health
from perfkit.fingerprint import key_pattern
from perfkit.recording import CacheEvent, current_recording

_MISSING = object()
_inside: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "perfkit_inside_cache", default=False
)

READS = ("get", "get_many", "has_key")
WRITES = ("set", "add", "set_many", "delete", "delete_many", "incr", "decr", "touch", "clear")


def _patterns(keys: Iterable[Any]) -> str:
    return ", ".join(sorted({key_pattern(k) for k in keys}))


def _append(
    alias: str, op: str, pattern: str, started: float, hit: bool | None, n: int, hits: int
) -> None:
    recording = current_recording.get()
    if recording is not None:
        duration = (perf_counter() - started) * 1000.0
        recording.cache_ops.append(CacheEvent(alias, op, pattern, duration, hit, n, hits))


def _outcome(op: str, args: tuple[Any, ...], result: Any) -> tuple[str, bool | None, int, int]:
    """(key pattern, hit, keys, hits) of a finished call."""
    if op == "get":
        hit = result is not _MISSING
        return key_pattern(args[0]), hit, 1, int(hit)
    if op == "get_many":
        return _patterns(args[0]), len(result) == len(args[0]), len(args[0]), len(result)
    if op == "has_key":
        return key_pattern(args[0]), bool(result), 1, int(bool(result))
    if op in ("set_many",):
        return _patterns(args[0]), None, len(args[0]), 0
    if op == "delete_many":
        return _patterns(args[0]), None, len(args[0]), 0
    if op == "clear":
        return "*", None, 0, 0
    return key_pattern(args[0]), None, 1, 0


def _prepare(
    op: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any], Any]:
    """Materialise key iterables and swap in a sentinel default, so a cached None is a hit."""
    default = None
    if op == "get":
        default = kwargs.pop("default", args[1] if len(args) > 1 else None)
        args = (args[0], _MISSING, *args[2:])
    elif op in ("get_many", "delete_many"):
        args = (list(args[0]), *args[1:])
    elif op == "set_many":
        args = (dict(args[0]), *args[1:])
    return args, kwargs, default


def _wrap_sync(alias: str, op: str, method: Callable[..., Any]) -> Callable[..., Any]:
    if op == "get":
        return _wrap_get(alias, method)

    @functools.wraps(method)
    def recorded(*args: Any, **kwargs: Any) -> Any:
        if current_recording.get() is None or _inside.get():
            return method(*args, **kwargs)
        args, kwargs, default = _prepare(op, args, kwargs)
        token = _inside.set(True)
        started = perf_counter()
        try:
            result = method(*args, **kwargs)
        finally:
            _inside.reset(token)
        _finish(alias, op, args, result, started)
        return default if result is _MISSING else result

    return recorded


def _wrap_get(alias: str, method: Callable[..., Any]) -> Callable[..., Any]:
    """``get``, the call a cached page makes most: ``_prepare``, ``_outcome`` and ``_append``
    in one frame, since each call of theirs costs as much as the lookup in a local cache."""

    @functools.wraps(method)
    def recorded(key: Any, default: Any = None, *args: Any, **kwargs: Any) -> Any:
        recording = current_recording.get()
        if recording is None or _inside.get():
            return method(key, default, *args, **kwargs)
        token = _inside.set(True)
        started = perf_counter()
        try:
            result = method(key, _MISSING, *args, **kwargs)
        finally:
            _inside.reset(token)
        duration = (perf_counter() - started) * 1000.0
        hit = result is not _MISSING
        try:
            recording.cache_ops.append(
                CacheEvent(alias, "get", key_pattern(key), duration, hit, 1, 1 if hit else 0)
            )
        except Exception:
            health.count_error("recording a cache call")
        return result if hit else default

    return recorded


def _wrap_async(alias: str, op: str, method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    async def recorded(*args: Any, **kwargs: Any) -> Any:
        if current_recording.get() is None or _inside.get():
            return await method(*args, **kwargs)
        args, kwargs, default = _prepare(op, args, kwargs)
        token = _inside.set(True)
        started = perf_counter()
        try:
            result = await method(*args, **kwargs)
        finally:
            _inside.reset(token)
        _finish(alias, op, args, result, started)
        return default if result is _MISSING else result

    return recorded


def _finish(alias: str, op: str, args: tuple[Any, ...], result: Any, started: float) -> None:
    try:
        pattern, hit, n, hits = _outcome(op, args, result)
        _append(alias, op, pattern, started, hit, n, hits)
    except Exception:
        health.count_error("recording a cache call")


def instrument(backend: BaseCache, alias: str) -> BaseCache:
    """Wrap one backend instance's public methods (sync and async), once."""
    if getattr(backend, "_perfkit_alias", None) is not None:
        return backend
    for op in READS + WRITES:
        setattr(backend, op, _wrap_sync(alias, op, getattr(backend, op)))
        setattr(backend, f"a{op}", _wrap_async(alias, op, getattr(backend, f"a{op}")))
    backend._perfkit_alias = alias  # type: ignore[attr-defined]  # perfkit's mark on the instance
    return backend


def install() -> None:
    """Instrument every cache backend Django creates, in any thread, and those that exist."""
    if getattr(caches, "_perfkit_installed", False):
        return
    create = caches.create_connection

    def create_connection(alias: str) -> BaseCache:
        return instrument(create(alias), alias)

    caches.create_connection = create_connection  # type: ignore[method-assign]  # the instrumenting
    caches._perfkit_installed = True  # type: ignore[attr-defined]  # perfkit's mark on the handler
    for alias in caches.settings:
        instrument(caches[alias], alias)
