"""Stores of recordings shaped like the real projects perfkit was run on, made from a seed.

Views as in healthchecks, Baby Buddy, DjangoBlog and Wagtail's bakerydemo: a list whose
per-row lookups grow with the data (N+1), a DRF viewset that refuses anonymous users, a
detail page behind a cache with a lookup every request repeats, a form that writes
(POST, redirect, INSERT), a search that sometimes answers 500, an admin page that answers
404 to some personas, a ping with no queries and HEAD requests. Bench-shaped stores carry
sizes, phases, personas and cold/warm labels; staging-shaped ones carry none. Requests
share start times (ties), SQLite-like ones count no rows, some parameters cannot be hashed.
"""

from __future__ import annotations

import math
import random
from typing import Any

from perfkit.analysis import duckdb_facts, facts, postgres_facts
from perfkit.analysis.analyse import conclude
from perfkit.commands.report import select
from perfkit.fingerprint import fingerprint
from perfkit.recording import CacheEvent, HttpEvent, QueryEvent, Recording

LIST = 'SELECT "blog_article"."id", "blog_article"."title" FROM "blog_article" LIMIT 20'
AUTHOR = 'SELECT "auth_user"."id" FROM "auth_user" WHERE "auth_user"."id" = %s'
TAGS = (
    'SELECT "taggit_tag"."name" FROM "taggit_tag" INNER JOIN "taggit_taggeditem" ON'
    ' ("taggit_tag"."id" = "taggit_taggeditem"."tag_id") WHERE "taggit_taggeditem"."object_id" = %s'
)
CHILD = 'SELECT "core_child"."id" FROM "core_child" ORDER BY "core_child"."birth_date"'
CHECK = 'SELECT "api_check"."id" FROM "api_check" WHERE "api_check"."code" = %s'
PROJECT = 'SELECT "accounts_project"."id" FROM "accounts_project" WHERE "accounts_project"."id" = 1'
SESSION = 'UPDATE "django_session" SET "expire_date" = %s WHERE "session_key" = %s'
INSERT = 'INSERT INTO "blog_comment" ("body", "article_id") VALUES (%s, %s)'
SEARCH = 'SELECT "blog_article"."id" FROM "blog_article" WHERE "blog_article"."title" LIKE %s'

PERSONAS = ("anonymous", "user", "staff")


def _query(rng: random.Random, sql: str, line: int, rows: int | None, sqlite: bool) -> QueryEvent:
    fp, normalized = fingerprint(sql)
    hashed = rng.choice((rng.randrange(-(2**63), 2**63), rng.randrange(4), 0, None))
    return QueryEvent(
        "default",
        fp,
        normalized,
        round(rng.uniform(0.01, 3.0), 3),
        None if sqlite else rows,
        f"blog/views.py:{line} in view",
        False,
        None,
        hashed,
    )


def _queries(rng: random.Random, view: str, n: int, sqlite: bool) -> list[QueryEvent]:
    q = lambda sql, line, rows=1: _query(rng, sql, line, rows, sqlite)  # noqa: E731
    if view == "blog:article_list":
        per_row = [q(AUTHOR, 41) if i % 2 else q(TAGS, 44, 3) for i in range(2 * n)]
        return [q(PROJECT, 12), q(LIST, 30, n), *per_row]
    if view == "api:child-list":
        return [q(CHILD, 18, n), q(SESSION, 0, None)]
    if view == "hc:details":
        return [q(CHECK, 55), q(PROJECT, 12)] * rng.randint(1, 2)
    if view == "blog:comment_add":
        return [q(LIST, 30, n), q(INSERT, 77, None)]
    if view == "blog:search":
        return [q(SEARCH, 90, rng.randint(0, n))]
    if view == "admin:delete":
        return [q(AUTHOR, 0)] * rng.randint(1, 6)
    return []


def _cache_ops(rng: random.Random, view: str) -> list[CacheEvent]:
    if view != "hc:details":
        return []
    hit = rng.random() < 0.6
    ops = [CacheEvent("default", "get", "check:<id>", 0.05, hit, 1, int(hit))]
    if not hit:
        ops.append(CacheEvent("default", "set", "check:<id>", 0.07))
    if rng.random() < 0.3:
        ops.append(CacheEvent("default", "get_many", "tag:<id>", 0.09, True, 3, rng.randint(0, 3)))
    return ops


def _http_calls(rng: random.Random, view: str, n: int, queries: int) -> list[HttpEvent]:
    """A gravatar call per row of the list (an N+1 API call), a slow billing API behind the
    detail page (most of its time), some refused (no status)."""
    call = lambda host, pattern, ms, line: HttpEvent(  # noqa: E731
        "GET",
        host,
        pattern,
        rng.choice((200, 200, 404, None)),
        ms,
        f"blog/api.py:{line} in get",
        rng.randint(0, queries),
    )
    if view == "blog:article_list":
        return [call("gravatar.example", "/avatar/#", rng.uniform(1, 9), 21) for _ in range(n)]
    if view == "hc:details" and rng.random() < 0.8:
        return [call("billing.example", "/v#/invoices/#", rng.uniform(40, 200), 48)]
    return []


def _status(rng: random.Random, view: str, persona: str | None, method: str) -> int:
    if view == "api:child-list" and persona == "anonymous":
        return 403
    if view == "blog:search" and rng.random() < 0.3:
        return 500
    if view == "admin:delete" and persona == "user":
        return 404
    if method == "POST":
        return 302
    return 304 if rng.random() < 0.05 else 200


def recordings(seed: int, bench: bool, count: int = 240) -> list[Recording]:
    """``count`` recordings of a project, bench-labelled (sizes 5 and 30) or as staging."""
    rng = random.Random(seed)
    sqlite = rng.random() < 0.5
    views = [
        "blog:article_list",
        "api:child-list",
        "hc:details",
        "blog:comment_add",
        "blog:search",
        "admin:delete",
        "core:ping",
    ]
    found = []
    start = 1_790_000_000.0 + seed
    for i in range(count):
        view = rng.choice(views)
        size = rng.choice((5, 30)) if bench else rng.choice((5, 10, 30))
        persona = rng.choice(PERSONAS) if bench else None
        method = "POST" if view == "blog:comment_add" and rng.random() < 0.5 else "GET"
        if method == "GET" and rng.random() < 0.05:
            method = "HEAD"
        labels: dict[str, Any] = {}
        if bench:
            labels = {
                "size": str(size),
                "phase": rng.choice(("measure", "measure", "measure", "warmup")),
                "target": f"/{view.replace(':', '/')}/",
                "persona": persona,
                "cache": "cold" if rng.random() < 0.25 else "warm",
            }
        queries = _queries(rng, view, size, sqlite)
        http_calls = _http_calls(rng, view, size, len(queries))
        status = _status(rng, view, persona, method)
        found.append(
            Recording(
                id=f"{rng.getrandbits(128):032x}",
                started_at=start + math.floor(i / 3) * 0.5,  # three requests a start time
                method=method,
                view=view,
                url_name=view,
                route=view.split(":")[1] + "/",
                view_path=f"{view.split(':')[0]}.views.{view.split(':')[1]}",
                status=status,
                wall_ms=round(rng.uniform(0.5, 80.0), 3) + sum(h.duration_ms for h in http_calls),
                cpu_ms=round(rng.uniform(0.2, 40.0), 3),
                response_bytes=rng.choice((None, rng.randint(100, 9000))),
                authenticated=persona in ("user", "staff"),
                has_cache_control=view == "core:ping" and rng.random() < 0.5,
                has_etag=False,
                has_last_modified=False,
                page_cache_hit=view == "hc:details" and rng.random() < 0.1,
                body_hash=rng.choice((f"{rng.randrange(3):016x}", None, "")),
                queries=queries,
                cache_ops=_cache_ops(rng, view),
                http_calls=http_calls,
                labels=labels,
            )
        )
    return found


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Where two reports' dicts differ (floats equal to 1e-9: sums in another order)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return [f"{path}: keys {sorted(set(a) ^ set(b))}"]
        return [d for k in a for d in differences(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items, not {len(b)}"]
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in differences(x, y, f"{path}[{i}]")
        ]
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        same = math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) or (math.isnan(a) and math.isnan(b))
        return [] if same else [f"{path}: {a!r} != {b!r}"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def reference(found: list[Recording], since: float | None = None, views: list[str] = ()) -> dict:
    chosen = select(found, since, list(views))
    return conclude(facts.from_recordings(chosen), source="s", relations={}).to_dict()


def engine(url: str, since: float | None = None, views: list[str] = ()) -> dict:
    """The report DuckDB's facts give (PostgreSQL's own, for a PostgreSQL store)."""
    gather = postgres_facts.gather if url.startswith("postgresql") else duckdb_facts.gather
    return conclude(gather(url, since, list(views) or None), source="s", relations={}).to_dict()
