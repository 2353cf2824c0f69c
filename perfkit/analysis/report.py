"""The analysed result: one model that every renderer (terminal, JSON, HTML, Markdown) reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: Flags a view can carry in a report.
O_N_QUERIES = "o_n_queries"
N_PLUS_ONE = "n_plus_one"
CACHING_CANDIDATE = "caching_candidate"
REPEATED_LOOKUP = "repeated_lookup"
N_PLUS_ONE_API = "n_plus_one_api"
OUTBOUND_BOUND = "outbound_bound"
UNUSED_EAGER_LOAD = "unused_eager_load"


@dataclass
class NPlusOneGroup:
    """One fingerprint executed many times in a single request, and the fix to try."""

    fingerprint: str
    sql: str
    table: str | None
    count: int
    callsite: str
    follows_sql: str | None
    follows_table: str | None
    follows_rows: int | None
    fix: str
    size: str = ""
    #: Seen only in a request that started with every cache empty: warm, a cache hides it.
    cold_only: bool = False


@dataclass
class NPlusOneCall:
    """One outbound HTTP call (method, host, path pattern) made many times in one request."""

    method: str
    host: str
    path_pattern: str
    count: int
    callsite: str
    #: The calls' time in that request, and how many of them got no answer (refused, timeout).
    http_ms: float
    failed: int
    follows_sql: str | None
    follows_table: str | None
    follows_rows: int | None
    fix: str
    size: str = ""
    #: ``(size, calls)`` at each measured size, when there were several: growth is per row.
    counts_by_size: list[tuple[str, int]] = field(default_factory=list)

    def call(self) -> str:
        """``GET api.example.com/users/#``: what the call is, in one line."""
        return f"{self.method} {self.host}{self.path_pattern}"


@dataclass
class OutboundTime:
    """A view that spends most of its time waiting on outbound HTTP calls."""

    requests: int
    calls_mean: float
    http_ms_mean: float
    wall_ms_mean: float
    share: float
    #: The call that took the most time in all, and where it is made.
    slowest_call: str
    slowest_callsite: str
    hosts: list[str]
    fix: str


@dataclass
class UnusedEagerLoad:
    """A ``select_related`` / ``prefetch_related`` lookup whose rows the view never reads.

    ``unused`` is the level nobody read (the whole lookup, or ``"author__publisher"`` of a
    lookup whose ``"author"`` is read); ``keep`` is what to ask for instead (None: drop the
    lookup). ``rows`` is the most related rows it loaded in one request, ``requests`` how
    many of the view's requests loaded any.
    """

    kind: str
    lookup: str
    unused: str
    keep: str | None
    model: str
    callsite: str
    rows: int
    requests: int
    fix: str

    def call(self) -> str:
        """``select_related("publisher")``: the lookup as the code asked for it."""
        if not self.lookup:
            return f"{self.kind}()"
        if self.lookup.startswith("Prefetch("):
            return f"{self.kind}({self.lookup})"
        return f'{self.kind}("{self.lookup}")'


@dataclass
class SizeStats:
    """One view at one data size (or every request, when sizes are unknown)."""

    size: str
    requests: int
    statuses: dict[str, int]
    wall_p50_ms: float
    wall_p95_ms: float
    cpu_p50_ms: float
    cpu_p95_ms: float
    queries_mean: float
    queries_max: int
    db_ms_mean: float
    cache_gets: int
    cache_hits: int
    cache_misses: int
    cache_sets: int
    cache_hit_ratio: float | None
    bytes_mean: float | None
    page_cache_hits: int
    #: Queries of the request that ran on emptied caches, and the mean of the warm ones
    #: (None when the requests were not labelled cold / warm, as in a staging store).
    cold_queries: int | None = None
    warm_queries_mean: float | None = None
    #: Outbound HTTP calls per request, and their time.
    http_calls_mean: float = 0.0
    http_ms_mean: float = 0.0


@dataclass
class Fit:
    """Queries ≈ intercept + slope · n, fitted over (size, worst query count) points."""

    intercept: float
    slope: float
    points: list[tuple[int, int]]
    verdict: str

    def formula(self) -> str:
        if self.verdict == "O(n)":
            return f"queries ≈ {_number(self.intercept)} + {_number(self.slope)}·n"
        if self.verdict == "O(n) per page":
            return f"queries ≈ {_number(self.intercept)} at every size: a full page, N+1 per row"
        return f"queries ≈ {_number(self.intercept)}"


@dataclass
class CachingCandidate:
    """A GET view whose responses repeat: what caching would save and what invalidates it."""

    view: str
    requests: int
    repeat_ratio: float
    wall_mean_ms: float
    db_ms_mean: float
    saved_ms: float
    tool: str
    why: str
    tables: list[str]
    invalidated_by: list[str]
    db_saved_ms: float = 0.0


@dataclass
class RepeatedQuery:
    """The same query with the same parameters and row count across requests of a view."""

    view: str
    fingerprint: str
    sql: str
    requests: int
    executions: int
    db_ms_total: float
    callsite: str


@dataclass
class FailedView:
    """A view whose measured requests were not served: what it answered instead, and why.

    ``verdict`` reads "answered 500: KeyError: 'TIMEOUT' at app/context.py:12", "only
    redirects (302)" or "refused (403)"; ``failed`` of ``requests`` were not served.
    """

    view: str
    requests: int
    failed: int
    statuses: dict[str, int]
    verdict: str


@dataclass
class RefusedCall:
    """An outbound network call that bench refused, and the view that made it.

    ``paths`` and ``callsite`` come from the HTTP calls the view's requests recorded to that
    host (path patterns, the line that made the last one); empty for a call that was not
    HTTP through ``http.client`` or httpx.
    """

    view: str
    method: str
    host: str
    paths: list[str] = field(default_factory=list)
    callsite: str = ""


@dataclass
class PersonaResult:
    """One persona's requests of a view, in brief: the view's report shows the worst one."""

    persona: str
    flags: list[str]
    verdict: str | None
    formula: str | None
    queries_max: int
    n_plus_one: int
    n_plus_one_calls: int = 0


#: What a query plan can show: a filter that reads every row of a table that grows with the
#: data, a sort no index gives, and rows read growing while rows returned stay constant.
FULL_SCAN = "full_scan"
UNINDEXED_SORT = "unindexed_sort"
EXAMINED_GROWS = "examined_grows"
#: Why bench explained a statement.
IN_N_PLUS_ONE = "n_plus_one"
GROWS = "grows"
MOST_DB_TIME = "most_db_time"


@dataclass
class PlanFinding:
    """What one statement's plan shows about one table, and the index to add.

    ``index`` is the line for ``model``'s ``Meta.indexes``
    (``models.Index(fields=["author", "-created"])``), None when none would help.
    """

    kind: str
    table: str
    model: str | None
    fields: list[str]
    index: str | None
    detail: str


@dataclass
class SizePlan:
    """A statement's plan at one data size: its text, values blanked, and its rows.

    ``rows_examined`` is what the plan reads (executed counts with ``--explain analyze``,
    else estimates and table sizes); ``rows_returned`` the most rows one execution returned.
    """

    size: str
    text: str
    rows_examined: int | None
    rows_returned: int | None


@dataclass
class ExplainedStatement:
    """One statement bench explained: why, its plan at each size, and what the plans show.

    ``gated`` is True when it was chosen for a reason counts decide (an N+1 group, growth),
    not for its share of DB time, so ``perfkit gate`` can fail on it deterministically.
    """

    fingerprint: str
    sql: str
    alias: str
    vendor: str
    views: list[str]
    callsite: str
    why: list[str]
    plans: list[SizePlan] = field(default_factory=list)
    findings: list[PlanFinding] = field(default_factory=list)
    skipped: str | None = None
    gated: bool = False


@dataclass
class ViewReport:
    """Everything the report says about one view."""

    view: str
    url_name: str | None
    route: str | None
    view_path: str | None
    methods: list[str]
    sizes: list[SizeStats]
    fit: Fit | None
    n_plus_one: list[NPlusOneGroup]
    caching: CachingCandidate | None
    tables_read: list[str]
    tables_written: list[str]
    profile: str | None = None
    flags: list[str] = field(default_factory=list)
    #: Statements repeated the same number of times at every size and not once per row of a
    #: list: a lookup to fetch once or cache, not growth (``fix`` says which).
    repeated_lookups: list[NPlusOneGroup] = field(default_factory=list)
    #: Who the report's numbers come from (bench's persona), when requests were labelled.
    persona: str | None = None
    #: Every persona the view was requested as, the shown one first.
    personas: list[PersonaResult] = field(default_factory=list)
    #: Outbound HTTP calls repeated in one request (N+1 API calls), most first.
    n_plus_one_calls: list[NPlusOneCall] = field(default_factory=list)
    #: Set when outbound calls take most of the view's time.
    outbound: OutboundTime | None = None
    #: Eager loads (select_related / prefetch_related) whose rows the view never read.
    unused_eager_loads: list[UnusedEagerLoad] = field(default_factory=list)


@dataclass
class Report:
    """One analysis: per-view results plus the cross-view findings."""

    source: str
    records: int
    sizes: list[str]
    views: list[ViewReport]
    caching_candidates: list[CachingCandidate]
    repeated_queries: list[RepeatedQuery]
    skipped: list[dict[str, str]] = field(default_factory=list)
    failed: list[FailedView] = field(default_factory=list)
    refused_calls: list[RefusedCall] = field(default_factory=list)
    #: What perfkit changed in the project's settings for the run, one line each.
    changes: list[str] = field(default_factory=list)
    #: The statements bench explained (``--explain``), those with findings first.
    explained: list[ExplainedStatement] = field(default_factory=list)
    #: How bench explained them: ``plan``, ``analyze``, or None when it did not.
    explain: str | None = None

    def flagged(self) -> list[ViewReport]:
        return [v for v in self.views if v.flags]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for view, original in zip(data["views"], self.views, strict=True):
            if original.fit is not None:
                view["fit"]["formula"] = original.fit.formula()
        return data


def _number(value: float) -> str:
    return f"{round(value, 2):g}"
