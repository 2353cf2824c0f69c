"""Record a block of test code with perfkit's own recorder, requests served inside it included."""

from __future__ import annotations

import contextvars
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from perfkit import conf, health
from perfkit.analysis import eager_loads as unused_eager
from perfkit.analysis.fixes import django_relations
from perfkit.analysis.n_plus_one import THRESHOLD, groups
from perfkit.analysis.outbound import n_plus_one_calls
from perfkit.analysis.report import NPlusOneCall, NPlusOneGroup, UnusedEagerLoad
from perfkit.capture import cache, db, eager_loads, http_calls
from perfkit.capture.statement_examples import Examples, keeping
from perfkit.recording import (
    CacheEvent,
    EagerUse,
    HttpEvent,
    QueryEvent,
    Recording,
    current_recording,
)
from perfkit.signals import recording_finished
from perfkit.testing import messages

READS = ("get", "get_many", "has_key")
SETS = ("set", "add", "set_many")

_block: contextvars.ContextVar[Recorded | None] = contextvars.ContextVar(
    "perfkit_test_block", default=None
)


@dataclass(frozen=True)
class CacheStats:
    """Cache calls on one alias: keys read, hits, misses and keys written."""

    alias: str
    gets: int
    hits: int
    misses: int
    sets: int

    @property
    def hit_ratio(self) -> float | None:
        return self.hits / self.gets if self.gets else None


@dataclass
class Recorded:
    """What a ``record()`` block did: every query, cache and outbound HTTP call, and the
    requests it made."""

    recording: Recording
    requests: list[Recording] = field(default_factory=list)
    #: One example (SQL, parameters) of each SELECT, in memory, for assert_no_full_scans.
    examples: Examples = field(default_factory=Examples, repr=False)
    #: Blocks recorded inside this one: their eager loads are this block's too.
    blocks: list[Recording] = field(default_factory=list)

    @property
    def queries(self) -> list[QueryEvent]:
        return self.recording.queries

    @property
    def cache_ops(self) -> list[CacheEvent]:
        return self.recording.cache_ops

    @property
    def http_calls(self) -> list[HttpEvent]:
        return self.recording.http_calls

    @property
    def count(self) -> int:
        """How many queries the block ran."""
        return len(self.recording.queries)

    def assert_max_queries(self, limit: int) -> None:
        """Fail, listing every query with its call site, when the block ran more than ``limit``."""
        __tracebackhide__ = True
        if self.count > limit:
            raise AssertionError(self._budget(f"expected at most {limit}"))

    def assert_num_queries(self, expected: int) -> None:
        """Fail, listing every query with its call site, unless the block ran ``expected``."""
        __tracebackhide__ = True
        if self.count != expected:
            raise AssertionError(self._budget(f"expected exactly {expected}"))

    def n_plus_one(self, threshold: int = THRESHOLD) -> list[NPlusOneGroup]:
        """The block's N+1 groups: one query shape run ``threshold`` times or more."""
        return groups(self.recording, django_relations(), threshold)

    def assert_no_n_plus_one(self, threshold: int = THRESHOLD) -> None:
        """Fail, naming each repeated query, its call site and the fix, if there is an N+1."""
        __tracebackhide__ = True
        found = self.n_plus_one(threshold)
        if found:
            lines = [f"{len(found)} N+1 query group(s){messages.during(self.requests)}:"]
            lines += [line for group in found for line in messages.group_lines(group)]
            raise AssertionError("\n".join(lines))

    def unused_eager_loads(self) -> list[UnusedEagerLoad]:
        """The block's ``select_related`` / ``prefetch_related`` lookups whose rows it never
        read (the block's own code and the requests it made, each judged as a whole)."""
        uses: list[EagerUse] = [
            r.eager for r in (self.recording, *self.blocks, *self.requests) if r.eager is not None
        ]
        return unused_eager.unused(uses)

    def assert_no_unused_eager_loads(self) -> None:
        """Fail, naming each eager load nobody read, the line that asked for it and the fix."""
        __tracebackhide__ = True
        found = self.unused_eager_loads()
        if found:
            lines = [f"{len(found)} unused eager load(s){messages.during(self.requests)}:"]
            lines += [line for load in found for line in messages.eager_lines(load)]
            raise AssertionError("\n".join(lines))

    def assert_max_http_calls(self, limit: int) -> None:
        """Fail, listing every outbound HTTP call with its call site, above ``limit`` calls."""
        __tracebackhide__ = True
        calls = self.recording.http_calls
        if len(calls) > limit:
            head = (
                f"{len(calls)} outbound HTTP calls, expected at most {limit}"
                f"{messages.during(self.requests)}:"
            )
            raise AssertionError("\n".join([head, *messages.call_lines(calls)]))

    def n_plus_one_calls(self, threshold: int = THRESHOLD) -> list[NPlusOneCall]:
        """The block's N+1 API calls: one outbound call made ``threshold`` times or more."""
        return n_plus_one_calls(self.recording, {}, threshold=threshold)

    def assert_no_n_plus_one_api(self, threshold: int = THRESHOLD) -> None:
        """Fail, naming each repeated outbound call, its call site and the fix, if any."""
        __tracebackhide__ = True
        found = self.n_plus_one_calls(threshold)
        if found:
            lines = [f"{len(found)} N+1 API call(s){messages.during(self.requests)}:"]
            lines += [line for call in found for line in messages.api_call_lines(call)]
            raise AssertionError("\n".join(lines))

    def assert_no_full_scans(self) -> None:
        """Fail, naming each statement, its call site, its plan and the index to add, when
        the database reads a table whole to filter it or sorts with no index (EXPLAIN of
        each distinct SELECT the block ran)."""
        __tracebackhide__ = True
        from perfkit.testing.full_scans import full_scans

        found = full_scans(self)
        if found:
            lines = [
                f"{len(found)} statement(s) with no usable index{messages.during(self.requests)}:"
            ]
            lines += [line for statement in found for line in messages.plan_lines(statement)]
            raise AssertionError("\n".join(lines))

    def cache_stats(self, alias: str = "default") -> CacheStats:
        """Keys read, hits, misses and keys written on one cache alias."""
        ops = [c for c in self.recording.cache_ops if c.alias == alias]
        reads = [c for c in ops if c.op in READS]
        return CacheStats(
            alias=alias,
            gets=sum(c.keys for c in reads),
            hits=sum(c.hits for c in reads),
            misses=sum(c.keys - c.hits for c in reads),
            sets=sum(c.keys for c in ops if c.op in SETS),
        )

    def assert_cache(
        self,
        alias: str = "default",
        *,
        hits: int | None = None,
        misses: int | None = None,
        sets: int | None = None,
        min_hit_ratio: float | None = None,
    ) -> None:
        """Fail, listing the alias's cache calls, unless each given expectation holds."""
        __tracebackhide__ = True
        stats = self.cache_stats(alias)
        wrong = [
            f"expected {name} {expected}, got {actual}"
            for name, expected, actual in (
                ("hits", hits, stats.hits),
                ("misses", misses, stats.misses),
                ("sets", sets, stats.sets),
            )
            if expected is not None and expected != actual
        ]
        ratio = stats.hit_ratio
        if min_hit_ratio is not None and (ratio is None or ratio < min_hit_ratio):
            wrong.append(
                f"expected a hit ratio of at least {min_hit_ratio:.0%}, got {messages.ratio(ratio)}"
            )
        if wrong:
            ops = [c for c in self.recording.cache_ops if c.alias == alias]
            raise AssertionError(messages.cache_failure(stats, wrong, ops, self.requests))

    def _budget(self, expectation: str) -> str:
        head = f"{self.count} queries, {expectation}{messages.during(self.requests)}:"
        return "\n".join([head, *messages.query_lines(self.recording.queries)])


@contextmanager
def record() -> Iterator[Recorded]:
    """Record every query, cache and outbound HTTP call in the block, with call sites, and
    track which eager-loaded rows it reads.

    Requests served inside the block (Django's test client) count too, whether or not
    ``PerfkitMiddleware`` is installed. Blocks nest: an outer block also sees an inner one's.
    """
    conf.get_config()
    db.install()
    cache.install()
    http_calls.install()
    eager_loads.install()
    recording_finished.connect(_add_request, weak=False, dispatch_uid="perfkit.testing")
    recorded = Recorded(Recording(os.urandom(8).hex(), time.time(), ""))
    outer = _block.get()
    errors_before = health.error_counts()
    block_token = _block.set(recorded)
    token = current_recording.set(recorded.recording)
    try:
        with keeping(recorded.examples), eager_loads.tracking():
            yield recorded
    finally:
        current_recording.reset(token)
        _block.reset(block_token)
        eager_loads.finish(recorded.recording)
    if outer is not None:
        _fold(outer.recording, recorded.recording)
        outer.requests.extend(recorded.requests)
        for example in recorded.examples.by_sql.values():
            outer.examples.keep(example)
        outer.blocks.extend([recorded.recording, *recorded.blocks])
    failed = _new_errors(errors_before, health.error_counts())
    if failed:
        raise RuntimeError(f"perfkit failed while {failed}; see the 'perfkit' log for why")


def _add_request(sender: Any, recording: Recording, **kwargs: Any) -> None:
    """Fold a request the middleware recorded inside a block into the block."""
    block = _block.get()
    if block is not None and current_recording.get() is block.recording:
        _fold(block.recording, recording)
        block.requests.append(recording)


def _fold(into: Recording, source: Recording) -> None:
    """Append what ``source`` recorded to ``into``; each HTTP call's count of the queries run
    before it is shifted, so it still points at the query it followed."""
    offset = len(into.queries)
    into.queries.extend(source.queries)
    into.cache_ops.extend(source.cache_ops)
    into.http_calls.extend(
        replace(call, queries_before=call.queries_before + offset) for call in source.http_calls
    )


def _new_errors(before: dict[str, int], after: dict[str, int]) -> str:
    return ", ".join(what for what, n in after.items() if n > before.get(what, 0))
