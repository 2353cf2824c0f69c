"""The one set of formatters of every report: numbers, durations, ratios, flags, shortened SQL.

A value that is not there reads as an en dash in the bench report (``ms``, ``ratio``) and
as a hyphen in the load and latency reports (``fixed``), as each always has.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import quote

from perfkit.analysis.report import (
    CACHING_CANDIDATE,
    N_PLUS_ONE,
    N_PLUS_ONE_API,
    O_N_QUERIES,
    OUTBOUND_BOUND,
    REPEATED_LOOKUP,
    UNUSED_EAGER_LOAD,
    NPlusOneCall,
    SizeStats,
    ViewReport,
)

if TYPE_CHECKING:
    from perfkit.latency.measurements import Summary

#: What each flag is called in a report, most serious first.
FLAG_LABELS = {
    O_N_QUERIES: "O(n) queries",
    N_PLUS_ONE: "N+1",
    N_PLUS_ONE_API: "N+1 API calls",
    REPEATED_LOOKUP: "repeated lookup",
    OUTBOUND_BOUND: "outbound-bound",
    CACHING_CANDIDATE: "caching candidate",
    UNUSED_EAGER_LOAD: "unused eager load",
}

#: What an N+1 group seen only in the request on emptied caches says about itself.
COLD_ONLY = "only with an empty cache: warm requests hide it, the first after a deploy pays it"

#: Query-level cache candidates the terminal lists, and the Markdown and HTML reports; the
#: JSON has every one.
REPEATED_SHOWN = 5
REPEATED_LISTED = 20

_SPACE = re.compile(r"\s+")


def _rank(flag: str) -> int:
    order = list(FLAG_LABELS)
    return order.index(flag) if flag in order else len(order)


def flag_labels(flags: list[str]) -> list[str]:
    """The flags' names, most serious first; an unknown flag keeps its own name."""
    return [FLAG_LABELS.get(f, f) for f in sorted(flags, key=lambda f: (_rank(f), f))]


def severity(view: ViewReport) -> int:
    """Sort key: views with O(n) queries first, then N+1, repeated lookups, caching."""
    return min((_rank(f) for f in view.flags), default=len(FLAG_LABELS))


def requested_as(view: ViewReport) -> str:
    """Who the view's findings come from, when bench requested it as several personas."""
    if view.persona is None or len(view.personas) < 2:
        return ""
    others = ", ".join(p.persona for p in view.personas[1:])
    return f"as {view.persona} (also requested as {others})"


def call_details(call: NPlusOneCall) -> list[str]:
    """What an N+1 API call's listing says under its call, in every renderer: one line each."""
    lines = []
    if call.follows_rows is not None:
        source = f" from {call.follows_table}" if call.follows_table else ""
        lines.append(f"after a query that returned {call.follows_rows} rows{source}")
    if call.counts_by_size:
        lines.append("calls per size: " + ", ".join(f"n={s}: {n}" for s, n in call.counts_by_size))
    answered = "" if not call.failed else f"; {call.failed} got no answer"
    lines.append(f"{ms(call.http_ms)} ms in these calls{answered}")
    return lines


def one_line(text: str) -> str:
    """Whitespace (newlines included) collapsed to single spaces."""
    return _SPACE.sub(" ", text).strip()


def shorten(text: str, limit: int = 120) -> str:
    """One line of at most ``limit`` characters, cut with an ellipsis."""
    line = one_line(text)
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def shorten_middle(text: str, limit: int) -> str:
    """At most ``limit`` characters, both ends kept: ``admin:accounts_…_changelist``."""
    if len(text) <= limit:
        return text
    if limit < 3:
        return text[:limit]
    head = (limit - 1) // 2
    return text[:head] + "…" + text[len(text) - (limit - 1 - head) :]


def ms(value: float | None) -> str:
    """Milliseconds with the precision that matters at that scale."""
    if value is None:
        return "–"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 1000 else f"{value:.0f}"


def number(value: float) -> str:
    """A count or mean without trailing zeros."""
    return f"{round(value, 2):g}"


def ratio(value: float | None, digits: int = 0, missing: str = "–") -> str:
    """A ratio as a percentage with ``digits`` decimals; ``missing`` for None and NaN."""
    return missing if value is None or math.isnan(value) else f"{value:.{digits}%}"


def fixed(value: float | None, digits: int = 1, unit: str = "") -> str:
    """``value`` with ``digits`` decimals, then its ``unit``; a hyphen for None and NaN."""
    if value is None or math.isnan(value):
        return "-"
    return f"{value:.{digits}f} {unit}" if unit else f"{value:.{digits}f}"


def file_size(size: int) -> str:
    """``176 kB``, ``1.9 GB``: a file's size in decimal units, with a decimal below 100."""
    value, unit = float(size), "B"
    for larger in ("kB", "MB", "GB"):
        if value < 1000:
            break
        value, unit = value / 1000, larger
    return f"{value:.0f} {unit}" if value >= 100 or unit == "B" else f"{value:.1f} {unit}"


def clock(epoch: float | None, with_date: bool = False) -> str:
    """A moment in local time, ``14:05:09`` or ``2026-12-02 14:05:09``; a hyphen if unknown."""
    if epoch is None:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S", time.localtime(epoch))


def count(value: float) -> str:
    """A count rounded to a whole number, thousands separated: ``12,345``."""
    return f"{value:,.0f}"


def share(value_ms: float, fraction: float) -> str:
    """A part of a whole in milliseconds and as its share: ``12.3 ms (45%)``."""
    return f"{fixed(value_ms, unit='ms')} ({ratio(fraction)})"


def timings(durations: Mapping[str, float]) -> str:
    """Named durations in milliseconds, as Server-Timing gave them: ``db 1.25 ms, app 3.50 ms``."""
    return ", ".join(f"{name} {fixed(value, 2, 'ms')}" for name, value in durations.items())


def median_spread(summary: Summary | None) -> str:
    """A timing's median and half its range: ``12.3 ±0.4``; empty when not measured."""
    return "" if summary is None else f"{fixed(summary.median)} ±{fixed(summary.spread / 2)}"


def median_range(summary: Summary | None) -> str:
    """A timing's median and range (an en dash between); empty when not measured."""
    if summary is None:
        return ""
    return f"{fixed(summary.median)} ({fixed(summary.low)}–{fixed(summary.high)})"


def median_count(summary: Summary | None) -> str:
    """A count's median, thousands separated; empty when not measured."""
    return "" if summary is None else count(summary.median)


def largest(view: ViewReport) -> SizeStats | None:
    """The view's stats at its largest data size (the last one analysis lists)."""
    return view.sizes[-1] if view.sizes else None


def file_href(path: str) -> str:
    """A link to a file (a profile) that can only ever be a file path, never ``javascript:``."""
    posix = PurePosixPath(path.replace("\\", "/"))
    quoted = quote(str(posix), safe="/")
    return f"file://{quoted}" if posix.is_absolute() else quoted
