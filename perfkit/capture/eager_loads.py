"""Eager-load tracking: which ``select_related`` / ``prefetch_related`` rows a request reads.

Nothing here runs until :func:`install` is called (by ``perfkit bench``, the pytest plugin,
or the middleware when ``PERFKIT["EAGER_LOADS"]`` is on); until then Django's ORM is as it
was. Installed, it

- notes the project line that asked for each lookup (``QuerySet.select_related`` /
  ``prefetch_related``), carried across ``QuerySet._clone``;
- once a queryset has fetched its rows, gives each instance that ``select_related`` filled a
  watched field cache; after each level of a prefetch, each instance it filled a watched
  prefetch cache (or, for a ``to_attr``, a watched list);
- marks a level read when anything reads a watched entry: a related descriptor (foreign
  keys, one-to-ones both ways, ``GenericForeignKey``), or the rows of the queryset a related
  manager hands out (reverse foreign keys, many-to-many, ``GenericRelation``, django-taggit)
  once they are iterated, counted or indexed (``book.tags.filter(…)`` runs a query of its own
  and reads none), whether a view, a template or a serializer goes through them. Reads
  Django makes while it prefetches (walking a nested lookup) are not the request's and are
  not counted;
- notes each to-one relation loaded lazily, one query per instance: the relations an N+1
  fix may name.

Tracking is per Recording and frozen into ``Recording.eager`` when the request finishes.
A watched container pickles and copies as the plain dict or list it stands for. Every
failure is counted through perfkit.health and the query goes on as Django meant it.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import functools
import sys
from collections.abc import Iterator
from typing import Any

from perfkit import conf, health
from perfkit.capture.callsite import CallsiteFinder
from perfkit.recording import EagerLoad, EagerUse, Recording, current_recording
from perfkit.signals import recording_finished

SELECT = "select_related"
PREFETCH = "prefetch_related"
#: The deepest ``select_related()`` (no fields) goes, as Django's own limit.
_MAX_DEPTH = 5
#: A queryset's ``{(kind, lookup key): (label, line)}``: what was asked for, and where.
_SITES = "_perfkit_eager_sites"

_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "perfkit_eager_loads", default=False
)
_installed = False


class _Level:
    """One level of one lookup in one request: instances filled, rows put, whether read."""

    __slots__ = ("holders", "read", "rows")

    def __init__(self) -> None:
        self.holders = 0
        self.rows = 0
        self.read = False


class Tracker:
    """A request's eager loads while it runs."""

    __slots__ = ("busy", "fetching", "lazy", "levels")

    def __init__(self) -> None:
        self.levels: dict[tuple[str, str, str, str, str], _Level] = {}
        self.lazy: set[tuple[str, str]] = set()
        #: Above 0 while Django prefetches: its own reads are not the request's.
        self.busy = 0
        #: The querysets fetching their rows, innermost last.
        self.fetching: list[Any] = []

    def level(self, kind: str, model: str, label: str, path: str, line: str) -> _Level:
        key = (kind, model, label, path, line)
        found = self.levels.get(key)
        if found is None:
            found = self.levels[key] = _Level()
        return found

    def freeze(self) -> EagerUse:
        loads = tuple(
            EagerLoad(kind, label, path, model, line, lv.holders, lv.rows, lv.read)
            for (kind, model, label, path, line), lv in self.levels.items()
        )
        return EagerUse(loads, frozenset(self.lazy))


class _WatchedDict(dict):  # type: ignore[type-arg]  # holds what Django puts in it
    """A field cache whose watched entries mark their levels read when read."""

    __slots__ = ("marks", "tracker")

    marks: dict[str, list[_Level]]
    tracker: Tracker

    def __getitem__(self, key: Any) -> Any:
        marks = self.marks
        if marks and key in marks and not self.tracker.busy:
            for level in marks.pop(key):
                level.read = True
        return dict.__getitem__(self, key)

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (dict, (dict(self),))

    def __copy__(self) -> dict[Any, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[Any, Any]:
        return copy.deepcopy(dict(self), memo)


class _WatchedPrefetches(_WatchedDict):
    """A prefetch cache: a related manager that hands out a watched queryset has not read it
    yet (``book.tags.filter(…)`` throws the prefetched rows away for a query of its own).
    The queryset carries its levels until its rows are used: iterated, counted, indexed."""

    __slots__ = ()

    def __getitem__(self, key: Any) -> Any:
        found = dict.__getitem__(self, key)
        marks = self.marks
        if marks and key in marks and not self.tracker.busy:
            found.__dict__[_PENDING] = marks.pop(key)
        return found


#: The levels a prefetched queryset marks read once its rows are used.
_PENDING = "_perfkit_eager_pending"


def _used(queryset: Any) -> None:
    """A prefetched queryset's rows are being used: its levels are read."""
    levels = queryset.__dict__.pop(_PENDING, None)
    tracker = _tracker()
    if levels and (tracker is None or not tracker.busy):
        for level in levels:
            level.read = True


class _WatchedList(list):  # type: ignore[type-arg]  # the rows a Prefetch put in a to_attr
    """A ``to_attr`` list that marks its level read when it is read."""

    __slots__ = ("level", "tracker")

    level: _Level | None
    tracker: Tracker

    def _mark(self) -> None:
        level = self.level
        if level is not None and not self.tracker.busy:
            level.read = True
            self.level = None

    def __iter__(self) -> Iterator[Any]:
        self._mark()
        return list.__iter__(self)

    def __len__(self) -> int:
        self._mark()
        return list.__len__(self)

    def __getitem__(self, index: Any) -> Any:
        self._mark()
        return list.__getitem__(self, index)

    def __contains__(self, value: object) -> bool:
        self._mark()
        return list.__contains__(self, value)

    def __reversed__(self) -> Iterator[Any]:
        self._mark()
        return list.__reversed__(self)

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (list, (list(list.__iter__(self)),))

    def __copy__(self) -> list[Any]:
        return list(list.__iter__(self))

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        return copy.deepcopy(list(list.__iter__(self)), memo)


def install() -> None:
    """Patch Django's ORM for tracking, once per process; a failure is counted, not raised."""
    global _installed
    if _installed:
        return
    try:
        _patch()
        _installed = True
    except Exception:
        health.count_error("installing eager-load tracking")
        return
    recording_finished.connect(_on_finished, weak=False, dispatch_uid="perfkit.eager_loads")


def uninstall() -> None:
    """Put Django's own methods back (what a process that never installed tracking runs)."""
    global _installed
    if not _installed:
        return
    for owner, name in _patched():
        wrapper = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
        setattr(owner, name, wrapper.__wrapped__)
    recording_finished.disconnect(dispatch_uid="perfkit.eager_loads")
    _installed = False


def _patched() -> list[tuple[Any, str]]:
    """Every (class or module, attribute) that :func:`install` wraps."""
    import django.db.models
    from django.db.models import query
    from django.db.models.fields.related_descriptors import (
        ForwardManyToOneDescriptor,
        ReverseOneToOneDescriptor,
    )

    methods = ["select_related", "prefetch_related", "_clone", "_fetch_all", *_ROW_ANSWERS]
    return [
        *((query.QuerySet, name) for name in methods if hasattr(query.QuerySet, name)),
        (query, "prefetch_related_objects"),
        (django.db.models, "prefetch_related_objects"),
        (query, "prefetch_one_level"),
        (ForwardManyToOneDescriptor, "get_object"),
        (ReverseOneToOneDescriptor, "get_queryset"),
    ]


#: QuerySet methods a fetched queryset answers from its rows without ``_fetch_all``.
_ROW_ANSWERS = ("count", "exists", "contains", "__getitem__")


@contextlib.contextmanager
def tracking() -> Iterator[None]:
    """Track every request recorded inside the block (``install`` first)."""
    token = _enabled.set(True)
    try:
        yield
    finally:
        _enabled.reset(token)


def finish(recording: Recording) -> None:
    """Freeze what ``recording``'s tracking saw into ``recording.eager``."""
    tracker = recording.eager_tracker
    if tracker is None:
        return
    recording.eager_tracker = None
    try:
        recording.eager = tracker.freeze()
    except Exception:
        health.count_error("finishing eager-load tracking")


def seen(recording: Recording) -> EagerUse | None:
    """What tracking has seen of ``recording`` so far; None when it was not tracked."""
    tracker = recording.eager_tracker
    return tracker.freeze() if tracker is not None else recording.eager


def _on_finished(sender: Any, recording: Recording, **kwargs: Any) -> None:
    finish(recording)


def _tracker() -> Tracker | None:
    """The current request's tracker, made at its first use; None when nothing tracks."""
    recording = current_recording.get()
    if recording is None:
        return None
    tracker: Tracker | None = recording.eager_tracker
    if tracker is None and recording.eager is None:
        try:
            if not (_enabled.get() or conf.get_config()["EAGER_LOADS"]):
                return None
        except Exception:
            health.count_error("starting eager-load tracking")
            return None
        tracker = recording.eager_tracker = Tracker()
    return tracker


def _lazy(table: Any, name: Any) -> None:
    """Note a to-one relation loaded lazily, when a request is tracked."""
    tracker = _tracker()
    if tracker is not None and not tracker.busy:
        try:
            tracker.lazy.add((str(table()), str(name())))
        except Exception:
            health.count_error("noting a lazy load")


@functools.cache
def _finder(ignore: tuple[str, ...]) -> CallsiteFinder:
    return CallsiteFinder(ignore)


def _project_line() -> str | None:
    """The project line running now (perfkit's and Django's frames are walked past)."""
    ignore = tuple(conf.get_config()["CALLSITE_IGNORE"])
    return _finder(ignore).application_line(sys._getframe(1))


def _prefetch_label(lookup: Any) -> tuple[str, str]:
    """``(prefetch_to, how the code wrote it)`` of a ``prefetch_related`` argument."""
    from django.db.models import Prefetch

    if not isinstance(lookup, Prefetch):
        return str(lookup), str(lookup)
    parts = [f'"{lookup.prefetch_through}"']
    if lookup.queryset is not None:
        parts.append("queryset=…")
    if lookup.to_attr:
        parts.append(f'to_attr="{lookup.to_attr}"')
    return lookup.prefetch_to, f"Prefetch({', '.join(parts)})"


def _note_sites(source: Any, clone: Any, kind: str, lookups: tuple[Any, ...]) -> None:
    """Give ``clone`` ``source``'s asked-for lookups, plus ``lookups`` asked for here."""
    try:
        sites = dict(source.__dict__.get(_SITES) or {})
        if lookups == (None,):  # select_related(None) / prefetch_related(None) clear them
            sites = {key: site for key, site in sites.items() if key[0] != kind}
        else:
            line = _project_line()
            if line is None:
                return
            for lookup in lookups or ("",):
                key, label = (lookup, lookup) if kind == SELECT else _prefetch_label(lookup)
                sites.setdefault((kind, key), (label, line))
        clone.__dict__[_SITES] = sites
    except Exception:
        health.count_error("noting the line of an eager load")


def _cache_name(field: Any) -> str:
    """The key a relation's value has in an instance's field cache."""
    try:
        return str(field.cache_name)  # Django 5.1+
    except AttributeError:
        return str(field.get_cache_name())


@functools.cache
def _select_key(model: Any, name: str) -> str | None:
    """The field-cache key of ``select_related(name)`` on ``model``; None if it has none."""
    try:
        return _cache_name(model._meta.get_field(name))
    except Exception:
        return None


def _watch_fields(holder: Any, tracker: Tracker) -> _WatchedDict:
    state = holder._state
    cache = state.__dict__.get("fields_cache")
    if type(cache) is _WatchedDict and cache.tracker is tracker:
        return cache
    watched = _WatchedDict(cache or {})
    watched.marks, watched.tracker = {}, tracker
    state.fields_cache = watched
    return watched


def _watch_prefetched(holder: Any, tracker: Tracker) -> _WatchedPrefetches:
    cache = holder.__dict__.get("_prefetched_objects_cache")
    if type(cache) is _WatchedPrefetches and cache.tracker is tracker:
        return cache
    watched = _WatchedPrefetches(cache or {})
    watched.marks, watched.tracker = {}, tracker
    holder._prefetched_objects_cache = watched
    return watched


def _mark(cache: _WatchedDict, key: str, level: _Level) -> None:
    levels = cache.marks.setdefault(key, [])
    if not any(known is level for known in levels):
        levels.append(level)


def _selected(tracker: Tracker, queryset: Any) -> None:
    """Watch what ``select_related`` put on a queryset's freshly fetched rows."""
    rows = [row for row in queryset._result_cache if hasattr(row, "_state")]
    if not rows:
        return
    requested = queryset.query.select_related
    sites = queryset.__dict__.get(_SITES) or {}
    model = queryset.model._meta.label
    asked = {key: site for (kind, key), site in sites.items() if kind == SELECT}
    if requested is True:  # select_related() with no fields
        line = asked[""][1] if "" in asked else _project_line()
        if line is not None:
            _select_every(tracker, rows, model, line, "", 0)
        return
    unasked = [leaf for leaf in _leaves(requested) if leaf not in asked]
    if unasked:  # asked for before tracking began: named by the line that fetched the rows
        line = _project_line()
        if line is not None:
            asked.update((leaf, (leaf, line)) for leaf in unasked)
    for key, (label, line) in asked.items():
        if key:
            _select_path(tracker, rows, model, label, line, key.split("__"))


def _leaves(tree: dict[str, Any], prefix: str = "") -> Iterator[str]:
    for name, below in tree.items():
        path = f"{prefix}__{name}" if prefix else name
        if below:
            yield from _leaves(below, path)
        else:
            yield path


def _select_path(
    tracker: Tracker, holders: list[Any], model: str, label: str, line: str, names: list[str]
) -> None:
    path = ""
    for name in names:
        path = f"{path}__{name}" if path else name
        level = tracker.level(SELECT, model, label, path, line)
        below = []
        for holder in holders:
            key = _select_key(holder.__class__, name)
            cache = holder._state.fields_cache
            if key is None or key not in cache:
                continue
            related = dict.__getitem__(cache, key)
            _mark(_watch_fields(holder, tracker), key, level)
            level.holders += 1
            if related is not None:
                level.rows += 1
                below.append(related)
        holders = below
        if not holders:
            return


def _select_every(
    tracker: Tracker, holders: list[Any], model: str, line: str, prefix: str, depth: int
) -> None:
    """``select_related()`` with no fields: every to-one relation found in the field caches."""
    if depth >= _MAX_DEPTH or not holders:
        return
    below: dict[str, list[Any]] = {}
    for holder in holders:
        cache = holder._state.fields_cache
        for field in holder._meta.concrete_fields:
            if not (field.is_relation and (field.many_to_one or field.one_to_one)):
                continue
            key = _cache_name(field)
            if key not in cache:
                continue
            path = f"{prefix}__{field.name}" if prefix else field.name
            level = tracker.level(SELECT, model, "", path, line)
            related = dict.__getitem__(cache, key)
            _mark(_watch_fields(holder, tracker), key, level)
            level.holders += 1
            if related is not None:
                level.rows += 1
                below.setdefault(path, []).append(related)
    for path, related in below.items():
        _select_every(tracker, related, model, line, path, depth + 1)


class _Prefetcher:
    """Stands in for a prefetcher to keep what its ``get_prefetch_queryset(s)`` answered."""

    __slots__ = ("answer", "real")

    def __init__(self, real: Any) -> None:
        self.real = real
        self.answer: tuple[Any, ...] | None = None

    def __getattr__(self, name: str) -> Any:
        found = getattr(self.real, name)
        if name not in ("get_prefetch_querysets", "get_prefetch_queryset"):
            return found

        def asked(*args: Any, **kwargs: Any) -> Any:
            self.answer = found(*args, **kwargs)
            return self.answer

        return asked


def _prefetch_origin(
    tracker: Tracker, lookup: Any, level: int, instances: list[Any]
) -> tuple[str, str, str, str] | None:
    """``(model, label, path, line)`` of one level of a prefetch; None: no project line."""
    from django.db.models import Prefetch

    key = lookup.prefetch_to
    through = lookup.prefetch_through.split("__")
    top = tracker.fetching[-1] if tracker.fetching else None
    if top is not None:
        model = top.model._meta.label
        found = (top.__dict__.get(_SITES) or {}).get((PREFETCH, key))
        if found is not None:
            return model, found[0], "__".join(through[: level + 1]), found[1]
        for outer in top._prefetch_related_lookups:
            # A lookup of a Prefetch's own queryset, which Django prefixes with its path.
            if not isinstance(outer, Prefetch) or outer.queryset is None:
                continue
            prefix = outer.prefetch_to + "__"
            if not key.startswith(prefix):
                continue
            inner = (outer.queryset.__dict__.get(_SITES) or {}).get((PREFETCH, key[len(prefix) :]))
            depth = len(outer.prefetch_through.split("__"))
            if inner is not None and level >= depth:
                path = "__".join(through[depth : level + 1])
                return outer.queryset.model._meta.label, inner[0], path, inner[1]
    line = _project_line()
    if line is None:
        return None
    model = top.model._meta.label if top is not None else type(instances[0])._meta.label
    return model, key, "__".join(through[: level + 1]), line


def _prefetched(
    tracker: Tracker, instances: list[Any], answer: tuple[Any, ...], lookup: Any, level: int
) -> None:
    """Watch what one level of a prefetch put on ``instances``."""
    if not instances:
        return
    origin = _prefetch_origin(tracker, lookup, level, instances)
    if origin is None:
        return
    model, label, path, line = origin
    single, cache_name, is_descriptor = answer[3], answer[4], answer[5]
    to_attr, as_attr = lookup.get_current_to_attr(level)
    found = tracker.level(PREFETCH, model, label, path, line)
    for obj in instances:
        if as_attr:
            value = obj.__dict__.get(to_attr)
            if single or type(value) is not list or hasattr(type(obj), to_attr):
                found.read = True  # a single object or a class attribute: reads go unseen
                return
            watched = _WatchedList(value)
            watched.level, watched.tracker = found, tracker
            obj.__dict__[to_attr] = watched
            found.holders += 1
            found.rows += len(value)
        elif single:
            if is_descriptor:  # set through a descriptor of its own: reads go unseen
                found.read = True
                return
            cache = obj._state.fields_cache
            if cache_name not in cache:
                continue
            related = dict.__getitem__(cache, cache_name)
            _mark(_watch_fields(obj, tracker), cache_name, found)
            found.holders += 1
            found.rows += related is not None
        else:
            cache = obj.__dict__.get("_prefetched_objects_cache")
            if cache is None or cache_name not in cache:
                continue
            rows = dict.__getitem__(cache, cache_name)._result_cache
            _mark(_watch_prefetched(obj, tracker), cache_name, found)
            found.holders += 1
            found.rows += len(rows or ())


def _patch() -> None:
    """Wrap the ORM's methods; each wrapper does nothing more when no request is tracked."""
    import django.db.models
    from django.db.models import query
    from django.db.models.fields.related_descriptors import (
        ForwardManyToOneDescriptor,
        ReverseOneToOneDescriptor,
    )

    queryset: Any = query.QuerySet  # private methods too: the stubs know only the public ones
    real_select = queryset.select_related
    real_prefetch = queryset.prefetch_related
    real_clone = queryset._clone
    real_fetch_all = queryset._fetch_all
    real_prefetch_objects = query.prefetch_related_objects
    real_one_level = query.prefetch_one_level
    real_get_object = ForwardManyToOneDescriptor.get_object
    real_reverse_queryset = ReverseOneToOneDescriptor.get_queryset

    @functools.wraps(real_select)
    def select_related(self: Any, *fields: Any) -> Any:
        clone = real_select(self, *fields)
        _note_sites(self, clone, SELECT, fields)
        return clone

    @functools.wraps(real_prefetch)
    def prefetch_related(self: Any, *lookups: Any) -> Any:
        clone = real_prefetch(self, *lookups)
        _note_sites(self, clone, PREFETCH, lookups)
        return clone

    @functools.wraps(real_clone)
    def _clone(self: Any, *args: Any, **kwargs: Any) -> Any:
        clone = real_clone(self, *args, **kwargs)
        sites = self.__dict__.get(_SITES)
        if sites is not None:
            clone.__dict__[_SITES] = sites
        return clone

    @functools.wraps(real_fetch_all)
    def _fetch_all(self: Any) -> None:
        if self._result_cache is not None and (
            self._prefetch_done or not self._prefetch_related_lookups
        ):
            if _PENDING in self.__dict__:
                _used(self)
            real_fetch_all(self)
            return
        tracker = _tracker()
        if tracker is None:
            real_fetch_all(self)
            return
        fresh = self._result_cache is None
        tracker.fetching.append(self)
        try:
            real_fetch_all(self)
        finally:
            tracker.fetching.pop()
        if fresh and self.query.select_related and self._result_cache:
            try:
                _selected(tracker, self)
            except Exception:
                health.count_error("tracking select_related")

    def using_rows(real: Any) -> Any:
        """``real`` (count, exists, contains, indexing), which a fetched queryset answers from
        its rows: a prefetched queryset's rows are used then."""

        @functools.wraps(real)
        def answer(self: Any, *args: Any, **kwargs: Any) -> Any:
            if _PENDING in self.__dict__ and self._result_cache is not None:
                _used(self)
            return real(self, *args, **kwargs)

        return answer

    @functools.wraps(real_prefetch_objects)
    def prefetch_related_objects(model_instances: Any, *related_lookups: Any) -> Any:
        tracker = _tracker()
        if tracker is None:
            return real_prefetch_objects(model_instances, *related_lookups)
        tracker.busy += 1
        try:
            return real_prefetch_objects(model_instances, *related_lookups)
        finally:
            tracker.busy -= 1

    @functools.wraps(real_one_level)
    def prefetch_one_level(instances: Any, prefetcher: Any, lookup: Any, level: int) -> Any:
        tracker = _tracker()
        if tracker is None:
            return real_one_level(instances, prefetcher, lookup, level)
        spy = _Prefetcher(prefetcher)
        found = real_one_level(instances, spy, lookup, level)
        if spy.answer is not None:
            try:
                _prefetched(tracker, instances, spy.answer, lookup, level)
            except Exception:
                health.count_error("tracking prefetch_related")
        return found

    @functools.wraps(real_get_object)
    def get_object(self: Any, instance: Any) -> Any:
        _lazy(lambda: self.field.model._meta.db_table, lambda: self.field.name)
        return real_get_object(self, instance)

    @functools.wraps(real_reverse_queryset)
    def get_queryset(self: Any, **hints: Any) -> Any:
        if "instance" in hints:  # a lazy load; a prefetch asks without one
            related = self.related
            _lazy(lambda: related.model._meta.db_table, related.get_accessor_name)
        return real_reverse_queryset(self, **hints)

    queryset.select_related = select_related
    queryset.prefetch_related = prefetch_related
    queryset._clone = _clone
    queryset._fetch_all = _fetch_all
    for name in _ROW_ANSWERS:
        if hasattr(queryset, name):
            setattr(queryset, name, using_rows(getattr(queryset, name)))
    query.prefetch_related_objects = prefetch_related_objects
    django.db.models.prefetch_related_objects = prefetch_related_objects
    query.prefetch_one_level = prefetch_one_level
    ForwardManyToOneDescriptor.get_object = get_object  # type: ignore[method-assign]
    ReverseOneToOneDescriptor.get_queryset = get_queryset  # type: ignore[method-assign]
