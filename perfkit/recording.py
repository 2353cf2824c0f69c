"""The Recording model (one per request) and the ContextVar that holds the current one."""

from __future__ import annotations

import contextvars
import itertools
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
    params_hash: str | None = None


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
    labels: dict[str, str] = field(default_factory=dict)
    callsites: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def db_ms(self) -> float:
        return sum(q.duration_ms for q in self.queries)

    @property
    def cache_ms(self) -> float:
        return sum(c.duration_ms for c in self.cache_ops)

    @property
    def cache_hits(self) -> int:
        return sum(c.hits for c in self.cache_ops)

    @property
    def cache_misses(self) -> int:
        return sum(c.keys - c.hits for c in self.cache_ops if c.hit is not None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; written by hand because ``dataclasses.asdict`` deep-copies."""
        data = {name: getattr(self, name) for name in _SCALARS}
        data["queries"] = _query_dicts(self.queries)
        data["cache_ops"] = [_event_dict(c, _CACHE_FIELDS) for c in self.cache_ops]
        data["labels"] = dict(self.labels)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Recording:
        values = dict(data)
        values["queries"] = _query_events(values.get("queries", []))
        values["cache_ops"] = [CacheEvent(**c) for c in values.get("cache_ops", [])]
        return cls(**values)


_SCALARS = tuple(
    f.name
    for f in fields(Recording)
    if f.name not in ("queries", "cache_ops", "labels", "callsites")
)
#: Repeats of a statement in one request leave these out when they equal its first execution's.
_SHARED = ("sql", "callsite")
_QUERY_FIELDS = tuple(f.name for f in fields(QueryEvent))
_CACHE_FIELDS = tuple(f.name for f in fields(CacheEvent))


def _event_dict(event: QueryEvent | CacheEvent, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(event, name) for name in names}


def _query_dicts(queries: list[QueryEvent]) -> list[dict[str, Any]]:
    """Queries as dicts; an N+1 group's SQL and call site are written once, not fifty times."""
    first: dict[str, QueryEvent] = {}
    found = []
    for query in queries:
        data = _event_dict(query, _QUERY_FIELDS)
        earlier = first.setdefault(query.fingerprint, query)
        if earlier is not query:
            for name in _SHARED:
                if data[name] == getattr(earlier, name):
                    del data[name]
        found.append(data)
    return found


def _query_events(dicts: list[dict[str, Any]]) -> list[QueryEvent]:
    """The inverse of ``_query_dicts``: repeats take the SQL and call site of the first."""
    first: dict[str, dict[str, Any]] = {}
    found = []
    for data in dicts:
        earlier = first.setdefault(data["fingerprint"], data)
        if earlier is not data:
            data = {**{name: earlier[name] for name in _SHARED if name in earlier}, **data}
        found.append(QueryEvent(**data))
    return found


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
