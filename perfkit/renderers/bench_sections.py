"""The bench report's sections: what each lists and in which order, decided once.

``sections(report)`` is the one list the terminal, Markdown and HTML renderers walk; each
of them only knows how to print an item of each kind. ``by_view`` gathers the per-view
sections' items under their view, for the HTML page's one card per view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from perfkit.analysis.report import (
    O_N_QUERIES,
    CachingCandidate,
    Fit,
    NPlusOneCall,
    NPlusOneGroup,
    OutboundTime,
    Report,
    UnusedEagerLoad,
    ViewReport,
)
from perfkit.renderers.formatting import REPEATED_LISTED, severity

O_N = "o_n"
N_PLUS_ONE = "n_plus_one"
LOOKUPS = "lookups"
N_PLUS_ONE_API = "n_plus_one_api"
OUTBOUND = "outbound"
UNUSED_EAGER = "unused_eager"
CACHING = "caching"
REPEATED = "repeated"
FAILED = "failed"
REFUSED = "refused"
PLANS = "plans"
SKIPPED = "skipped"
PROFILES = "profiles"
CHANGES = "changes"

#: The sections about the report's findings, as against what perfkit changed to run.
FINDINGS = (
    O_N,
    N_PLUS_ONE,
    N_PLUS_ONE_API,
    LOOKUPS,
    OUTBOUND,
    UNUSED_EAGER,
    CACHING,
    REPEATED,
    FAILED,
    REFUSED,
    PLANS,
    SKIPPED,
    PROFILES,
)


@dataclass(frozen=True)
class Section:
    """One part of the report: its items already selected and in the order to print them."""

    key: str
    title: str
    items: list[Any]
    #: Items a listing of only the first ones left out (the JSON report has them all).
    hidden: int = 0


@dataclass(frozen=True)
class Growth:
    """A view whose query count grows with the data, and the fit that says so."""

    view: ViewReport
    fit: Fit


@dataclass(frozen=True)
class Groups:
    """A view's N+1 groups, or its repeated lookups."""

    view: ViewReport
    groups: list[NPlusOneGroup]


@dataclass(frozen=True)
class Calls:
    """A view's N+1 API calls: outbound HTTP calls repeated in one request."""

    view: ViewReport
    calls: list[NPlusOneCall]


@dataclass(frozen=True)
class Waiting:
    """A view whose time is mostly outbound HTTP calls."""

    view: ViewReport
    outbound: OutboundTime


@dataclass(frozen=True)
class Loads:
    """A view's eager loads whose rows it never reads."""

    view: ViewReport
    loads: list[UnusedEagerLoad]


@dataclass(frozen=True)
class Skip:
    """Something bench left out: a URL, a view or a model's data, and why."""

    subject: str
    reason: str


@dataclass(frozen=True)
class Profile:
    """The profile of a view's slowest request."""

    view: ViewReport
    path: str


@dataclass
class ViewFindings:
    """Everything the per-view sections say about one view."""

    view: ViewReport
    fit: Fit | None = None
    n_plus_one: list[NPlusOneGroup] = field(default_factory=list)
    lookups: list[NPlusOneGroup] = field(default_factory=list)
    n_plus_one_calls: list[NPlusOneCall] = field(default_factory=list)
    outbound: OutboundTime | None = None
    caching: CachingCandidate | None = None
    profile: str | None = None
    unused_eager_loads: list[UnusedEagerLoad] = field(default_factory=list)

    def any(self) -> bool:
        """Whether any section lists the view."""
        return bool(
            self.fit
            or self.n_plus_one
            or self.lookups
            or self.n_plus_one_calls
            or self.outbound
            or self.caching
            or self.profile
            or self.unused_eager_loads
        )


def sections(report: Report, repeated: int = REPEATED_LISTED) -> list[Section]:
    """The report's non-empty sections in print order; ``repeated`` queries listed at most."""
    grows = [Growth(v, v.fit) for v in report.views if O_N_QUERIES in v.flags and v.fit is not None]
    by_slope = sorted(grows, key=lambda growth: -growth.fit.slope)
    every = [
        Section(O_N, "Views whose query count grows with the data (O(n))", by_slope),
        Section(
            N_PLUS_ONE,
            "N+1 queries: one query per row, inside one request",
            [Groups(v, v.n_plus_one) for v in report.views if v.n_plus_one],
        ),
        Section(
            N_PLUS_ONE_API,
            "N+1 API calls: one outbound HTTP call per row, inside one request",
            [Calls(v, v.n_plus_one_calls) for v in report.views if v.n_plus_one_calls],
        ),
        Section(
            LOOKUPS,
            "Repeated lookups: the same count at every size, not growth",
            [Groups(v, v.repeated_lookups) for v in report.views if v.repeated_lookups],
        ),
        Section(
            OUTBOUND,
            "Views that spend most of their time waiting on outbound HTTP calls",
            [Waiting(v, v.outbound) for v in report.views if v.outbound is not None],
        ),
        Section(
            UNUSED_EAGER,
            "Eager loads nobody reads: select_related / prefetch_related rows never used",
            [Loads(v, v.unused_eager_loads) for v in report.views if v.unused_eager_loads],
        ),
        Section(CACHING, "Caching candidates, most time saved first", report.caching_candidates),
        Section(
            REPEATED,
            "Repeated identical queries across requests",
            report.repeated_queries[:repeated],
            max(0, len(report.repeated_queries) - repeated),
        ),
        Section(FAILED, "Views not served: left out of the analysis", report.failed),
        Section(
            REFUSED,
            "Outbound calls refused (bench blocks the network; --allow-network)",
            report.refused_calls,
        ),
        Section(
            PLANS,
            "Query plans: full scans and sorts no index serves (--explain)",
            [s for s in report.explained if s.findings],
        ),
        Section(SKIPPED, "Skipped", [_skip(entry) for entry in report.skipped]),
        Section(
            PROFILES,
            "Profiles of the slowest request",
            [Profile(v, v.profile) for v in sorted(report.views, key=severity) if v.profile],
        ),
        Section(
            CHANGES, "What perfkit changed in the project's settings for this run", report.changes
        ),
    ]
    return [section for section in every if section.items]


def by_view(report: Report, listed: list[Section]) -> list[ViewFindings]:
    """The items of the per-view sections in ``listed`` per view, the most serious first."""
    found = {view.view: ViewFindings(view) for view in report.views}
    for section in listed:
        for item in section.items:
            if section.key == O_N:
                found[item.view.view].fit = item.fit
            elif section.key == N_PLUS_ONE:
                found[item.view.view].n_plus_one = item.groups
            elif section.key == LOOKUPS:
                found[item.view.view].lookups = item.groups
            elif section.key == N_PLUS_ONE_API:
                found[item.view.view].n_plus_one_calls = item.calls
            elif section.key == OUTBOUND:
                found[item.view.view].outbound = item.outbound
            elif section.key == UNUSED_EAGER:
                found[item.view.view].unused_eager_loads = item.loads
            elif section.key == CACHING and item.view in found:
                found[item.view].caching = item
            elif section.key == PROFILES:
                found[item.view.view].profile = item.path
    ordered = (found[view.view] for view in sorted(report.views, key=severity))
    return [findings for findings in ordered if findings.any()]


def _skip(entry: dict[str, str]) -> Skip:
    subject = entry.get("url") or entry.get("view") or entry.get("model") or "?"
    return Skip(subject, entry.get("reason", ""))
