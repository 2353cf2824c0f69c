"""The django-debug-toolbar panel: this request's N+1 groups, the plans of its statements that
matter, cache and outbound HTTP calls, and the view's history."""

from __future__ import annotations

import json
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path
from typing import Any

from debug_toolbar.decorators import require_show_toolbar
from debug_toolbar.panels import Panel
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.urls import URLPattern, path, reverse

from perfkit import conf, describe, health, profiling
from perfkit.analysis import eager_loads as unused_eager
from perfkit.analysis import n_plus_one, outbound
from perfkit.analysis.fixes import django_relations
from perfkit.analysis.report import NPlusOneGroup
from perfkit.analysis.stats import CACHE_READS, CACHE_WRITES
from perfkit.capture import eager_loads
from perfkit.capture.statement_examples import Examples, keeping
from perfkit.quantiles import percentile
from perfkit.recording import Recording

#: How many of the view's latest stored requests the history summarises.
HISTORY_RUNS = 20

_COUNTS = ("gets", "hits", "sets", "other", "ms")


class PerfkitPanel(Panel):
    """perfkit's view of the current request, plus what the store and bench know of its view."""

    title = "perfkit"
    template = "perfkit/panel.html"

    def enable_instrumentation(self) -> None:
        # One example (SQL, parameters) of each SELECT, in memory for this request only: the
        # plans below need the parameters, and the panel's stats never hold them.
        self._keeping = ExitStack()
        self._examples: Examples = self._keeping.enter_context(keeping())

    def disable_instrumentation(self) -> None:
        self._keeping.close()

    @property
    def nav_subtitle(self) -> str:
        stats = self.get_stats()
        if not stats.get("recorded"):
            return "not recorded"
        queries, groups = stats["queries"], len(stats["n_plus_one"])
        found = f", {groups} N+1 group{'s' if groups != 1 else ''}" if groups else ""
        calls = len(stats.get("n_plus_one_calls", ()))
        found += f", {calls} N+1 API call{'s' if calls != 1 else ''}" if calls else ""
        loads = len(stats.get("unused_eager_loads") or ())
        found += f", {loads} unused eager load{'s' if loads != 1 else ''}" if loads else ""
        return f"{queries} quer{'y' if queries == 1 else 'ies'}{found}"

    def generate_stats(self, request: HttpRequest, response: HttpResponseBase) -> None:
        recording = getattr(request, "perfkit_recording", None)
        if recording is None:
            self.record_stats({"recorded": False})
            return
        if not recording.view:  # the toolbar runs inside PerfkitMiddleware: not closed yet
            describe.describe_view(recording, request)
        config = conf.get_config()
        groups = n_plus_one.groups(recording, django_relations())
        self.record_stats(
            {
                "recorded": True,
                "view": recording.view,
                "queries": len(recording.queries),
                "db_ms": recording.db_ms,
                "n_plus_one": [asdict(g) for g in groups],
                "plans": plans(recording, getattr(self, "_examples", Examples()), groups),
                "cache": cache_by_pattern(recording),
                "http_calls": len(recording.http_calls),
                "http_ms": recording.http_ms,
                "outbound": calls_by_pattern(recording),
                "n_plus_one_calls": [asdict(c) for c in outbound.n_plus_one_calls(recording, {})],
                "unused_eager_loads": unused_eager_loads(recording),
                "profile": _profile_link(recording.profile),
                "history": history(recording, config["STORE"]),
                "bench": bench_flags(recording.view, Path(config["BENCH_REPORT"])),
            }
        )

    @classmethod
    def get_urls(cls) -> list[URLPattern]:
        return [path("perfkit/profile/<str:name>", profile_view, name="perfkit_profile")]


def plans(
    recording: Recording, examples: Examples, groups: list[NPlusOneGroup]
) -> list[dict[str, Any]]:
    """The plans of the request's statements that matter: those in an N+1 group and the one
    holding most of its DB time, each explained once, values blanked."""
    from perfkit.explain.one_size import explained

    time: dict[str, float] = {}
    for query in recording.queries:
        time[query.fingerprint] = time.get(query.fingerprint, 0.0) + query.duration_ms
    chosen = {group.fingerprint for group in groups}
    if time:
        chosen.add(max(time, key=lambda fp: time[fp]))
    kept = examples.by_fingerprint()
    sites = {q.fingerprint: (q.sql, q.callsite) for q in recording.queries}
    try:
        statements = explained({fp: kept[fp] for fp in sorted(chosen) if fp in kept}, sites)
    except Exception:  # the panel never breaks the page it describes
        health.count_error("explaining the request's statements")
        return []
    return [asdict(statement) for statement in statements]


def unused_eager_loads(recording: Recording) -> list[dict[str, Any]] | None:
    """This request's eager loads whose rows it did not read; None when they are not tracked
    (``PERFKIT["EAGER_LOADS"]`` off)."""
    use = eager_loads.seen(recording)
    if use is None:
        return None
    return [{**asdict(u), "call": u.call()} for u in unused_eager.unused([use])]


def cache_by_pattern(recording: Recording) -> list[dict[str, Any]]:
    """Cache calls per (alias, key pattern): gets, hits, misses, sets, other calls, time."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for op in recording.cache_ops:
        row = rows.setdefault(
            (op.alias, op.key_pattern),
            {"alias": op.alias, "pattern": op.key_pattern, **dict.fromkeys(_COUNTS, 0)},
        )
        row["ms"] += op.duration_ms
        if op.op in CACHE_READS:
            row["gets"] += op.keys
            row["hits"] += op.hits
        elif op.op in CACHE_WRITES:
            row["sets"] += op.keys
        else:
            row["other"] += 1
    for row in rows.values():
        row["misses"] = row["gets"] - row["hits"]
    return sorted(rows.values(), key=lambda r: (r["alias"], r["pattern"]))


def calls_by_pattern(recording: Recording) -> list[dict[str, Any]]:
    """Outbound HTTP calls per (method, host, path pattern): calls, statuses, time, call site."""
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for call in recording.http_calls:
        row = rows.setdefault(
            outbound.key(call),
            {
                "method": call.method,
                "host": call.host,
                "pattern": call.path_pattern,
                "calls": 0,
                "statuses": {},
                "ms": 0.0,
            },
        )
        row["calls"] += 1
        row["ms"] += call.duration_ms
        status = "no answer" if call.status is None else str(call.status)
        row["statuses"][status] = row["statuses"].get(status, 0) + 1
        row["callsite"] = call.callsite
    return sorted(rows.values(), key=lambda r: (-r["ms"], r["host"], r["pattern"]))


def history(recording: Recording, store_url: str) -> dict[str, Any]:
    """The view's latest stored requests: p50/p95 wall time, query counts, the newest profile."""
    from perfkit.store import open_store, redact_url

    try:
        store = open_store(store_url)
        try:
            stored = store.latest(recording.view, HISTORY_RUNS + 1)
        finally:
            store.close()
        latest = [r for r in stored if r.id != recording.id][-HISTORY_RUNS:]
    except Exception as error:
        return {"error": f"{redact_url(store_url)}: {error}"}
    if not latest:
        return {"runs": 0, "store": redact_url(store_url)}
    walls = [r.wall_ms for r in latest]
    profiles = [r.profile for r in latest if r.profile]
    return {
        "runs": len(latest),
        "store": redact_url(store_url),
        "wall_p50_ms": percentile(walls, 50),
        "wall_p95_ms": percentile(walls, 95),
        "queries": [len(r.queries) for r in latest],
        "profile": _profile_link(profiles[-1] if profiles else None),
    }


def bench_flags(view: str, report: Path) -> dict[str, Any] | None:
    """What the last ``perfkit bench`` report says about ``view``, if there is such a report."""
    try:
        data = json.loads(report.read_text())
        views = [v for v in data.get("views") or () if isinstance(v, dict)]
    except (OSError, ValueError, AttributeError):
        return None
    for entry in views:
        if entry.get("view") == view:
            caching = entry.get("caching") or {}
            return {
                "report": str(report),
                "flags": list(entry.get("flags") or ()),
                "fit": (entry.get("fit") or {}).get("formula"),
                "caching": caching.get("tool"),
                "caching_why": caching.get("why"),
            }
    return {"report": str(report), "flags": [], "fit": None, "caching": None}


def _profile_link(stored: str | None) -> dict[str, str] | None:
    if not stored:
        return None
    name = Path(stored).name
    return {"name": name, "url": reverse("djdt:perfkit_profile", args=[name])}


@require_show_toolbar
def profile_view(request: HttpRequest, name: str) -> FileResponse:
    """A stored pyinstrument profile, by file name, from ``PERFKIT["PROFILE_DIR"]``."""
    found = profiling.find(name)
    if found is None:
        raise Http404("no such profile")
    return FileResponse(found.open("rb"), content_type="text/html; charset=utf-8")
