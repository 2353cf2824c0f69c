"""``assert_constant_queries``: run a view or callable at several data sizes, fail if it is O(n)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from perfkit.analysis.report import Fit, NPlusOneGroup
from perfkit.analysis.scaling import LINEAR, fit
from perfkit.testing import messages
from perfkit.testing.recorder import Recorded, record


def assert_constant_queries(
    target: str | Callable[[], Any],
    sizes: Sequence[int] = (5, 20),
    setup: Callable[[int], Any] | None = None,
    client: Any = None,
) -> Fit:
    """Fail when the query count grows with the data size; return the fit otherwise.

    At each size, ``setup(n)`` builds the data (outside the recording), then ``target`` runs
    once inside it: a URL is fetched with ``client.get`` (a fresh ``django.test.Client`` by
    default), anything else is called. The failure names the fit (``queries ≈ 1 + 2·n``),
    each query that grew with its call site, and the N+1 fix.
    """
    __tracebackhide__ = True
    if len(set(sizes)) < 2 or min(sizes) < 0:
        raise ValueError(f"sizes={tuple(sizes)!r}: give two or more different sizes, 0 or more")
    runs: list[tuple[int, Recorded]] = []
    for size in sorted(set(sizes)):
        if setup is not None:
            setup(size)
        with record() as recorded:
            _run(target, client)
        runs.append((size, recorded))
    n_plus_one = runs[-1][1].n_plus_one()
    result = fit([(size, recorded.count) for size, recorded in runs], bool(n_plus_one))
    assert result is not None  # two sizes or more, checked above
    if result.verdict == LINEAR:
        raise AssertionError(_growth(_name(target), result, runs, n_plus_one))
    return result


def _run(target: str | Callable[[], Any], client: Any) -> None:
    __tracebackhide__ = True
    if not isinstance(target, str):
        target()
        return
    if client is None:
        from django.test import Client

        client = Client()
    response = client.get(target)
    if response.status_code >= 400:
        raise AssertionError(f"GET {target} answered {response.status_code}; expected a page")


def _name(target: str | Callable[[], Any]) -> str:
    if isinstance(target, str):
        return target
    return getattr(target, "__qualname__", None) or repr(target)


def _growth(
    name: str, result: Fit, runs: list[tuple[int, Recorded]], n_plus_one: list[NPlusOneGroup]
) -> str:
    counts = ", ".join(f"n={size}: {recorded.count}" for size, recorded in runs)
    lines = [f"{name} is O(n): {result.formula()} ({counts} queries)"]
    smallest, largest = runs[0][1], runs[-1][1]
    before = Counter(q.fingerprint for q in smallest.queries)
    after = Counter(q.fingerprint for q in largest.queries)
    fixes = {group.fingerprint: group.fix for group in n_plus_one}
    shown = set()
    lines.append(f"queries that grew from n={runs[0][0]} to n={runs[-1][0]}:")
    for query in largest.queries:
        fp = query.fingerprint
        if fp in shown or after[fp] <= before[fp]:
            continue
        shown.add(fp)
        lines.append(f"{messages.INDENT}{before[fp]}× → {after[fp]}× {query.sql}")
        if query.callsite:
            lines.append(f"{messages.INDENT}   at {query.callsite}")
        if fp in fixes:
            lines.append(f"{messages.INDENT}   fix: {fixes[fp]}")
    return "\n".join(lines)
