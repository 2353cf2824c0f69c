"""Caching candidates: GET views whose responses (or query results) repeat, what to use, and
what invalidates them."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from perfkit import labels
from perfkit.analysis.report import CachingCandidate
from perfkit.recording import Recording

if TYPE_CHECKING:
    from perfkit.analysis.facts import CachingFacts

#: A view is worth caching when it does real database work for a response that repeats:
#: at least BIG_DB_MS per request, or several queries (MIN_QUERIES). One or two quick
#: queries save too little to be worth a cache and its invalidation. (Query count decides
#: alone, whatever the queries took: SQLite does most of its work while rows are fetched,
#: after the timed execute, so its DB times are tiny, and a floor on them would let the
#: machine's speed decide.) The time is the median request's: a busy machine slows some
#: requests, and a mean would let those few decide.
BIG_DB_MS = 2.0
MIN_QUERIES = 3


#: Tables a request reads and writes for itself, not for the page: a logged-in GET writes its
#: session, and that invalidates nothing another request would cache.
_OWN_STATE = frozenset({"django_session"})

#: The user model's table and primary-key column where Django does not say (``user_lookup``).
_DEFAULT_USER = ("auth_user", "id")


def repeated_requests(recordings: list[Recording], key: Callable[[Recording], object]) -> int:
    """Requests whose ``key`` (body, or query results) equals an earlier one's at their size."""
    seen: set[tuple[str, object]] = set()
    repeats = 0
    for recording in recordings:
        found = (recording.labels.get(labels.SIZE, ""), key(recording))
        if found in seen:
            repeats += 1
        seen.add(found)
    return repeats


def body(recording: Recording) -> str:
    return recording.body_hash or ""


def query_results(recording: Recording) -> object:
    """The request's SELECTs with their parameters and row counts: equal when the database
    answered it the same (never equal when a parameter could not be hashed)."""
    selects = [q for q in recording.queries if q.sql.startswith("SELECT")]
    if not selects or any(q.params_hash is None for q in selects):
        return object()
    return tuple(sorted((q.fingerprint, q.params_hash, q.rows or 0) for q in selects))


def user_lookup() -> re.Pattern[str]:
    """The SQL of ``get(pk=…)`` on the project's user model (AuthenticationMiddleware's
    lookup), with whatever it joins (healthchecks' backend ``select_related()``s the
    profile): its own FROM, and one row by primary key. The model is Django's when it is
    set up with ``django.contrib.auth`` (bench), else Django's own ``auth_user``."""
    table, pk = _user_table()
    quoted = '[`"]{}[`"]'.format
    user, key = quoted(re.escape(table)), quoted(re.escape(pk))
    return re.compile(rf"\bFROM {user} .*WHERE {user}\.{key} = (?:#|%s|\?)(?: LIMIT (?:#|\d+))?$")


def _user_table() -> tuple[str, str]:
    try:
        from django.apps import apps

        if apps.ready:
            from django.contrib.auth import get_user_model

            meta = get_user_model()._meta
            column = meta.pk.column if meta.pk is not None else None
            return meta.db_table, column or _DEFAULT_USER[1]
    except Exception:  # no auth app, or a user model that cannot be loaded
        return _DEFAULT_USER
    return _DEFAULT_USER


def own_state_queries(statements: Iterable[str], user_lookup: re.Pattern[str]) -> int:
    """How many of a view's statements only load the request's own state: its session, or
    the logged-in user (``user_lookup``). Each runs once a request, whatever the page
    shows, and no cache of the page would save it."""
    from perfkit.analysis.sqltables import tables

    found = 0
    for sql in statements:
        read, written = tables(sql)
        if written or not read:
            continue
        if set(read) <= _OWN_STATE or user_lookup.search(sql):
            found += 1
    return found


def candidate(
    view: str,
    facts: CachingFacts,
    tables_read: list[str],
    writers: dict[str, set[str]],
    flagged_queries: bool,
    own_state: int = 0,
) -> tuple[CachingCandidate | None, str]:
    """The candidate for one view, or None and the reason it is not one. Its queries are
    counted without the ``own_state`` ones (``own_state_queries``): a logged-in page's
    session and user lookups are on every page, not work a cache of this one would save."""
    if not facts.gets:
        return None, "no successful GET responses"
    if facts.sends_validators:
        return None, "already sends Cache-Control, ETag or Last-Modified"
    if facts.handles_writes:
        return None, "handles writes"
    if flagged_queries:
        return None, "fix its O(n) queries first: a cache would only hide them"
    repeats = facts.body_repeats
    same_rows = repeats == 0
    if same_rows:
        repeats = facts.result_repeats
    if repeats == 0:
        return None, "every response and its query results differ"
    typical_db_ms = facts.db_ms_median
    data_queries = facts.queries_mean - own_state
    if typical_db_ms < BIG_DB_MS and data_queries < MIN_QUERIES:
        return None, "too little database work to be worth a cache"
    if same_rows and data_queries < MIN_QUERIES:
        # By count alone: a slow machine's 2 ms must not make a two-query page a candidate.
        return None, "too few queries to be worth caching their results"
    data = [table for table in tables_read if table not in _OWN_STATE]
    invalidated_by = sorted({w for table in data for w in writers.get(table, ())} - {view})
    tool, why = _tool(facts.authenticated, invalidated_by, same_rows)
    return (
        CachingCandidate(
            view=view,
            requests=facts.gets,
            repeat_ratio=round(repeats / facts.gets, 4),
            wall_mean_ms=facts.wall_ms_mean,
            db_ms_mean=facts.db_ms_mean,
            saved_ms=repeats * facts.wall_ms_mean,
            tool=tool,
            why=why,
            tables=data,
            invalidated_by=invalidated_by,
            db_saved_ms=repeats * facts.db_ms_mean,
        ),
        "",
    )


def _tool(authenticated: bool, invalidated_by: list[str], same_rows: bool) -> tuple[str, str]:
    if same_rows:
        return (
            "a low-level cache of its queries (cache.get_or_set) or a template fragment cache",
            "its queries return the same rows on every request while the page itself differs "
            "(a token, the time, the user's name)",
        )
    if authenticated:
        return (
            "template fragment cache ({% cache %}) or a low-level cache of its queries",
            "logged-in users see it, so the whole page cannot be shared between them",
        )
    if invalidated_by:
        return (
            "@cache_page with invalidation on writes, or ETag / conditional GET",
            "anonymous and identical between writes; clear it on writes by "
            + ", ".join(invalidated_by)
            + ", or let clients revalidate with an ETag",
        )
    return ("@cache_page", "anonymous and identical across requests")


def writers_by_table(statements_by_view: dict[str, set[str]]) -> dict[str, set[str]]:
    """For each table, the views that wrote to it."""
    from perfkit.analysis.sqltables import tables

    found: dict[str, set[str]] = defaultdict(set)
    for view, statements in statements_by_view.items():
        for sql in statements:
            for table in tables(sql)[1]:
                found[table].add(view)
    return found
