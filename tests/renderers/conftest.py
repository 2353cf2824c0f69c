"""Reports built by hand for the renderer tests, and one headless Chromium for the HTML ones."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from perfkit.analysis.report import (
    CACHING_CANDIDATE,
    EXAMINED_GROWS,
    FULL_SCAN,
    N_PLUS_ONE,
    N_PLUS_ONE_API,
    O_N_QUERIES,
    OUTBOUND_BOUND,
    REPEATED_LOOKUP,
    UNUSED_EAGER_LOAD,
    CachingCandidate,
    ExplainedStatement,
    FailedView,
    Fit,
    NPlusOneCall,
    NPlusOneGroup,
    OutboundTime,
    PlanFinding,
    RefusedCall,
    RepeatedQuery,
    Report,
    SizePlan,
    SizeStats,
    UnusedEagerLoad,
    ViewReport,
)
from perfkit.latency.chromium import ARGS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = list(ARGS)

#: Strings that run script if a renderer ever lets them through unescaped.
PAYLOADS = (
    "<script>window.__pwned=1</script>",
    "<img src=x onerror=window.__pwned=1>",
    '"><svg onload=window.__pwned=1>',
    "'><iframe src=javascript:window.parent.__pwned=1>",
    "</textarea></style></title><script>window.__pwned=1</script>",
    "{{ 7*7 }} [bold]markup[/bold] | pipe ` tick",
)


def size_stats(size: str, queries: float, **fields: Any) -> SizeStats:
    values: dict[str, Any] = {
        "requests": 5,
        "statuses": {"200": 5},
        "wall_p50_ms": 12.5,
        "wall_p95_ms": 18.25,
        "cpu_p50_ms": 10.0,
        "cpu_p95_ms": 15.0,
        "queries_mean": queries,
        "queries_max": int(queries),
        "db_ms_mean": 4.5,
        "cache_gets": 0,
        "cache_hits": 0,
        "cache_misses": 0,
        "cache_sets": 0,
        "cache_hit_ratio": None,
        "bytes_mean": 2048.0,
        "page_cache_hits": 0,
        **fields,
    }
    return SizeStats(size=size, **values)


def view_report(view: str, **fields: Any) -> ViewReport:
    values: dict[str, Any] = {
        "url_name": view,
        "route": f"{view.split(':')[-1]}/",
        "view_path": f"news.views.{view.split(':')[-1]}",
        "methods": ["GET"],
        "sizes": [size_stats("10", 2), size_stats("50", 2)],
        "fit": Fit(2, 0, [(10, 2), (50, 2)], "O(1)"),
        "n_plus_one": [],
        "caching": None,
        "tables_read": ["news_story"],
        "tables_written": [],
        **fields,
    }
    return ViewReport(view=view, **values)


def n_plus_one(sql: str, callsite: str, fix: str) -> NPlusOneGroup:
    return NPlusOneGroup(
        fingerprint="f1",
        sql=sql,
        table="news_author",
        count=50,
        callsite=callsite,
        follows_sql='SELECT * FROM "news_story"',
        follows_table="news_story",
        follows_rows=50,
        fix=fix,
        size="50",
    )


def api_call(host: str, callsite: str) -> NPlusOneCall:
    return NPlusOneCall(
        method="GET",
        host=host,
        path_pattern="/v#/forecast/#",
        count=50,
        callsite=callsite,
        http_ms=125.0,
        failed=0,
        follows_sql='SELECT * FROM "news_city"',
        follows_table="news_city",
        follows_rows=50,
        fix="one call per row: ask a batch endpoint for every id in one call",
        size="50",
        counts_by_size=[("10", 10), ("50", 50)],
    )


def waiting(host: str, callsite: str) -> OutboundTime:
    return OutboundTime(
        requests=5,
        calls_mean=50.0,
        http_ms_mean=125.0,
        wall_ms_mean=150.0,
        share=125 / 150,
        slowest_call=f"GET {host}/v#/forecast/#",
        slowest_callsite=callsite,
        hosts=[host],
        fix=f"83% of the view's time is spent waiting on {host}: cache the answers",
    )


def unused_load(lookup: str, callsite: str) -> UnusedEagerLoad:
    return UnusedEagerLoad(
        kind="select_related",
        lookup=lookup,
        unused=lookup,
        keep=None,
        model="news.Loan",
        callsite=callsite,
        rows=25,
        requests=6,
        fix=f'remove "{lookup}" from select_related at {callsite}: the view never reads it',
    )


def candidate(view: str, tool: str, why: str, saved_ms: float) -> CachingCandidate:
    return CachingCandidate(
        view=view,
        requests=10,
        repeat_ratio=0.9,
        wall_mean_ms=saved_ms / 9,
        db_ms_mean=saved_ms / 18,
        saved_ms=saved_ms,
        tool=tool,
        why=why,
        tables=["news_story", "news_tag"],
        invalidated_by=["news:story_add"],
        db_saved_ms=saved_ms / 2,
    )


def build(
    *,
    slow: str = "news:story_list",
    sql: str = 'SELECT "news_author"."id", "news_author"."name" FROM "news_author" WHERE id = %s',
    callsite: str = "news/templates/news/list.html:7 via news/views.py:41 in story_list",
    fix: str = 'select_related("author")',
    front: str = "news:front",
    tool: str = "@cache_page",
    why: str = "anonymous and identical across requests",
    url: str = "/news/<slug:slug>/edit/",
    profile: str = "profiles/news-story_list.html",
    error: str = "KeyError: 'TIMEOUT' at news/context_processors.py:12",
    host: str = "api.example.com",
    lookup_fix: str = "40× the same lookup at every size: fetch it once and reuse it, or cache it",
    eager: str = "member",
) -> Report:
    """A demo-like report: one O(n) N+1 view, its fixed twin, a front page worth caching."""
    story_list = view_report(
        slow,
        sizes=[
            size_stats("10", 21, cache_gets=4, cache_hits=3, cache_misses=1, cache_hit_ratio=0.75),
            size_stats("50", 101, wall_p50_ms=64.0, wall_p95_ms=80.0),
        ],
        fit=Fit(1, 2, [(10, 21), (50, 101)], "O(n)"),
        n_plus_one=[n_plus_one(sql, callsite, fix)],
        tables_read=["news_author", "news_story"],
        profile=profile,
        flags=[O_N_QUERIES, N_PLUS_ONE],
    )
    front_candidate = candidate(front, tool, why, 120.0)
    front_page = view_report(front, caching=front_candidate, flags=[CACHING_CANDIDATE])
    return Report(
        source="jsonl:///tmp/recordings.jsonl",
        records=40,
        sizes=["10", "50"],
        views=[
            front_page,
            story_list,
            view_report("news:story_add", methods=["GET", "POST"], tables_written=["news_story"]),
            view_report("news:story_list_fixed"),
            view_report(
                "news:weather",
                n_plus_one_calls=[api_call(host, callsite)],
                outbound=waiting(host, callsite),
                flags=[N_PLUS_ONE_API, OUTBOUND_BOUND],
            ),
            view_report(
                "news:sidebar",
                repeated_lookups=[
                    n_plus_one(sql.replace("news_author", "django_site"), callsite, lookup_fix)
                ],
                flags=[REPEATED_LOOKUP],
            ),
            view_report(
                "news:loan_desk",
                unused_eager_loads=[unused_load(eager, callsite)],
                flags=[UNUSED_EAGER_LOAD],
            ),
        ],
        caching_candidates=[front_candidate],
        repeated_queries=[
            RepeatedQuery(
                view=front,
                fingerprint="f2",
                sql=sql.replace("news_author", "news_tag"),
                requests=10,
                executions=10,
                db_ms_total=3.5,
                callsite=callsite,
            )
        ],
        skipped=[
            {"url": url, "reason": "needs a login; --login none"},
            {"model": "news.Profile", "size": "10", "reason": "made no row: IntegrityError"},
        ],
        failed=[FailedView("news:archive", 10, 10, {"500": 10}, f"answered 500: {error}")],
        refused_calls=[RefusedCall("news:weather", "GET", host, ["/v#/forecast/#"], callsite)],
        changes=["EMAIL_BACKEND: mail kept in memory"],
        explained=[explained_statement(slow, sql, callsite)],
        explain="plan",
    )


def explained_statement(view: str, sql: str, callsite: str) -> ExplainedStatement:
    """A statement whose plan reads a growing table whole to filter it."""
    scan = PlanFinding(
        kind=FULL_SCAN,
        table="news_story",
        model="news.Story",
        fields=["reader", "-created"],
        index='models.Index(fields=["reader", "-created"])',
        detail="reads every row of news_story (50 rows at n=50) to filter on reader",
    )
    grows = PlanFinding(
        kind=EXAMINED_GROWS,
        table="news_story",
        model="news.Story",
        fields=scan.fields,
        index=scan.index,
        detail="reads 10 → 50 rows (n=10 → n=50) to return 1",
    )
    return ExplainedStatement(
        fingerprint="f9",
        sql=sql.replace("news_author", "news_story"),
        alias="default",
        vendor="postgresql",
        views=[view],
        callsite=callsite,
        why=["n_plus_one"],
        plans=[
            SizePlan("10", f"Seq Scan on news_story  (rows=1)\n   Filter: ({sql})", 10, 1),
            SizePlan("50", f"Seq Scan on news_story  (rows=1)\n   Filter: ({sql})", 50, 1),
        ],
        findings=[scan, grows],
        gated=True,
    )


def hostile() -> Report:
    """The same report with a script payload in every string a user's site controls."""
    script, img, svg, iframe, closer, markup = PAYLOADS
    return build(
        slow=f"news:{script}",
        sql=f"SELECT '{img}' FROM t WHERE a = '{closer}'",
        callsite=f"views.py:1 in {svg}",
        fix=f'select_related("{iframe}")',
        front=f"front{svg}{markup}",
        tool=f"@cache_page {script}",
        why=img,
        url=f"/x/{script}/{iframe}",
        profile=f"javascript:window.__pwned=1//{svg}",
        error=f"ValueError: {script}",
        host=f"{img}.example.com",
        lookup_fix=f"40× {markup} {script}",
        eager=f"{script}{closer}",
    )


@pytest.fixture
def report() -> Report:
    return build()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for a module's tests: launching costs about a second."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
