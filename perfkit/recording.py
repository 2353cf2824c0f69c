"""The Recording model (one per request) and the ContextVar that holds the current one."""

from __future__ import annotations

import contextvars
import itertools
import operator
import os
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(slots=True)
class QueryEvent:
    """One SQL execution: never the raw parameters unless the user opted in."""

    alias: str
    fingerprint: str
    sql: str
    duration_ms: float
    rows: int | None
    callsite: str
    many: bool = False
    params: str | None = None
    params_hash: int | None = None


#: Cache operations that read keys, and those that write them (a CacheEvent's ``op``).
CACHE_READS = ("get", "get_many", "has_key")
CACHE_WRITES = ("set", "add", "set_many")


@dataclass(slots=True)
class CacheEvent:
    """One call into Django's cache framework: a key pattern, never the key or value."""

    alias: str
    op: str
    key_pattern: str
    duration_ms: float
    hit: bool | None = None
    keys: int = 1
    hits: int = 0


@dataclass(slots=True)
class HttpEvent:
    """One outbound HTTP call: a path pattern, never the URL, its query string, headers or body.

    ``status`` is None when no response came (refused, timed out, reset); ``duration_ms``
    runs from sending the request to its response's headers; ``queries_before`` is how many
    queries the request had run when the call was made (which list it follows).
    """

    method: str
    host: str
    path_pattern: str
    status: int | None
    duration_ms: float
    callsite: str
    queries_before: int = 0


@dataclass(frozen=True, slots=True)
class EagerLoad:
    """One level of a ``select_related`` / ``prefetch_related`` lookup in one request.

    ``lookup`` is the lookup as the code asked for it (``"author__publisher"``,
    ``'Prefetch("books", to_attr="latest")'``, ``""`` for a bare ``select_related()``),
    ``path`` the level (``"author"``, then ``"author__publisher"``); ``holders`` is how many
    instances the level filled, ``rows`` how many related rows it put on them, ``read``
    whether the request read any of them.
    """

    kind: str
    lookup: str
    path: str
    model: str
    callsite: str
    holders: int
    rows: int
    read: bool


@dataclass(frozen=True, slots=True)
class EagerUse:
    """What a request tracked of its eager loads: each level asked for, and the to-one
    relations it loaded lazily, one query each, as ``(table, relation name)``."""

    loads: tuple[EagerLoad, ...] = ()
    lazy: frozenset[tuple[str, str]] = frozenset()


@dataclass(slots=True)
class Recording:
    """Everything perfkit records about one request."""

    id: str
    started_at: float
    method: str
    view: str = ""
    url_name: str | None = None
    route: str | None = None
    view_path: str | None = None
    status: int = 0
    wall_ms: float = 0.0
    cpu_ms: float = 0.0
    response_bytes: int | None = None
    authenticated: bool = False
    has_cache_control: bool = False
    has_etag: bool = False
    has_last_modified: bool = False
    page_cache_hit: bool = False
    body_hash: str | None = None
    profile: str | None = None
    queries: list[QueryEvent] = field(default_factory=list)
    cache_ops: list[CacheEvent] = field(default_factory=list)
    http_calls: list[HttpEvent] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    #: This request's statements by raw SQL: (fingerprint, normalized SQL, call site). Not stored.
    seen_sql: dict[str, tuple[str, str, str]] = field(
        default_factory=dict, repr=False, compare=False
    )
    #: The raw SQL whose call site was found again at its second execution. Not stored.
    sited_twice: set[str] = field(default_factory=set, repr=False, compare=False)
    #: What eager-load tracking saw (bench, the pytest plugin, ``EAGER_LOADS``). Not stored.
    eager: EagerUse | None = field(default=None, repr=False, compare=False)
    #: The tracking of a request under way (perfkit.capture.eager_loads). Not stored.
    eager_tracker: Any = field(default=None, repr=False, compare=False)

    @property
    def db_ms(self) -> float:
        return sum(q.duration_ms for q in self.queries)

    @property
    def cache_ms(self) -> float:
        return sum(c.duration_ms for c in self.cache_ops)

    @property
    def http_ms(self) -> float:
        return sum(h.duration_ms for h in self.http_calls)

    @property
    def cache_hits(self) -> int:
        return sum(c.hits for c in self.cache_ops)

    @property
    def cache_misses(self) -> int:
        return sum(c.keys - c.hits for c in self.cache_ops if c.hit is not None)

    def packed(self) -> Packed:
        """The stored values as nested tuples of strings and numbers, taken at once.

        What the background writer queues until it encodes :meth:`to_dict`'s form: tuples
        of plain values leave the garbage collector's view within a collection or two (one
        per level), where a Recording and its lists stay in it, and the ~1,000 recordings
        queued at a time made Python collect all of its objects (~30 ms) every ~2,600
        requests instead of every ~21,000.
        """
        return (
            _scalar_values(self),
            tuple(map(_query_values, self.queries)),
            tuple(map(_cache_values, self.cache_ops)),
            tuple(map(_http_values, self.http_calls)),
            tuple(self.labels.items()),
        )

    def to_dict(self) -> dict[str, Any]:
        """The stored form: JSON-ready and compact (see :func:`unpacked`)."""
        return unpacked(self.packed())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Recording:
        """The inverse of :meth:`to_dict`."""
        values = dict(data)
        statements = values.pop("statements", {})
        values["queries"] = [_query_event(row, statements) for row in values.get("queries", ())]
        values["cache_ops"] = [_cache_event(row) for row in values.get("cache_ops", ())]
        values["http_calls"] = [_http_event(row) for row in values.get("http_calls", ())]
        return cls(**values)


_SCALARS = tuple(
    f.name
    for f in fields(Recording)
    if f.name
    not in (
        "queries",
        "cache_ops",
        "http_calls",
        "labels",
        "seen_sql",
        "sited_twice",
        "eager",
        "eager_tracker",
    )
)
_scalar_values = operator.attrgetter(*_SCALARS)
_query_values = operator.attrgetter(*(f.name for f in fields(QueryEvent)))
_cache_values = operator.attrgetter(*(f.name for f in fields(CacheEvent)))
_http_values = operator.attrgetter(*(f.name for f in fields(HttpEvent)))

#: A Recording's stored values as plain tuples (:meth:`Recording.packed`).
Packed = tuple[tuple[Any, ...], ...]


def unpacked(packed: Packed) -> dict[str, Any]:
    """The stored form of a packed Recording, JSON-ready, compact, written by hand.

    A query is ``[alias, fingerprint, duration_us, rows, many, params, params_hash]``, a
    cache call ``[alias, op, key_pattern, duration_us, hit, keys, hits]``: arrays, with
    durations in whole microseconds (``repr`` of a float costs ~0.3 µs, and this runs once
    per query). A statement's SQL and call site are stored once, under ``statements``:
    every execution of a statement in one request shares them. An outbound HTTP call is
    ``[method, host, path_pattern, status, duration_us, callsite, queries_before]``,
    under ``http_calls`` only when the request made one (older records have none).
    """
    scalars, queries, cache_ops, http_calls, labels = packed
    data = dict(zip(_SCALARS, scalars, strict=True))
    data["queries"] = [
        [alias, fingerprint, _us(ms), rows, many, params, params_hash]
        for alias, fingerprint, _sql, ms, rows, _site, many, params, params_hash in queries
    ]
    # In order, so that a statement keeps its repeated executions' call site (the last
    # one seen), not a first execution that came from elsewhere.
    data["statements"] = {q[1]: [q[2], q[5]] for q in queries}
    data["cache_ops"] = [
        [alias, op, pattern, _us(ms), hit, keys, hits]
        for alias, op, pattern, ms, hit, keys, hits in cache_ops
    ]
    if http_calls:
        data["http_calls"] = [
            [method, host, path, status, _us(ms), site, before]
            for method, host, path, status, ms, site, before in http_calls
        ]
    data["labels"] = dict(labels)
    return data


def _us(milliseconds: float) -> int:
    return int(milliseconds * 1000.0 + 0.5)


def _query_event(row: list[Any], statements: dict[str, list[str]]) -> QueryEvent:
    alias, fingerprint, duration_us, rows, many, params, params_hash = row
    sql, callsite = statements.get(fingerprint, ["", ""])
    return QueryEvent(
        alias, fingerprint, sql, duration_us / 1000.0, rows, callsite, many, params, params_hash
    )


def _cache_event(row: list[Any]) -> CacheEvent:
    alias, op, key_pattern, duration_us, hit, keys, hits = row
    return CacheEvent(alias, op, key_pattern, duration_us / 1000.0, hit, keys, hits)


def _http_event(row: list[Any]) -> HttpEvent:
    method, host, path_pattern, status, duration_us, callsite, queries_before = row
    return HttpEvent(
        method, host, path_pattern, status, duration_us / 1000.0, callsite, queries_before
    )


def new_id() -> str:
    """32 hex digits, unique across processes: this process's random tag, then a counter.

    A process's ids rise, so its rows append at one place of a store's primary-key index
    instead of landing at random places in it: that more than halves the cost of inserting
    a row into SQLite. A forked child draws a new tag before it records anything.
    """
    return f"{_process_tag}{next(_sequence):012x}"


def _new_process_tag() -> None:
    global _process_tag, _sequence
    _process_tag, _sequence = os.urandom(10).hex(), itertools.count()


_process_tag, _sequence = "", itertools.count()
_new_process_tag()
os.register_at_fork(after_in_child=_new_process_tag)


current_labels: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "perfkit_labels", default=None
)

current_recording: contextvars.ContextVar[Recording | None] = contextvars.ContextVar(
    "perfkit_recording", default=None
)
