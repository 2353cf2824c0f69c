"""N+1 API calls and outbound-bound views, from hand-made recordings."""

from __future__ import annotations

import json

import pytest

from perfkit.analysis import outbound
from perfkit.analysis.analyse import analyse
from perfkit.analysis.report import N_PLUS_ONE_API, OUTBOUND_BOUND
from perfkit.recording import Recording
from tests.analysis.factories import http_call, query, recording

LIST = 'SELECT "id" FROM "shop_order"'


def _per_row(n: int, size: str = "", **fields) -> object:
    calls = [http_call(queries_before=1) for _ in range(n)]
    return recording("shop:orders", query(LIST, rows=n), size=size, http_calls=calls, **fields)


def test_a_call_repeated_per_row_is_an_n_plus_one_tied_to_the_list_it_follows() -> None:
    report = analyse([_per_row(8)], source="t", relations={})
    (view,) = report.views
    assert N_PLUS_ONE_API in view.flags
    (found,) = view.n_plus_one_calls
    assert (found.call(), found.count, found.callsite) == (
        "GET api.example.com/users/#",
        8,
        "app/views.py:7 in v",
    )
    assert (found.follows_table, found.follows_rows, found.failed) == ("shop_order", 8, 0)
    assert found.http_ms == pytest.approx(16.0)
    assert found.fix == outbound.PER_ROW_FIX


def test_calls_below_the_threshold_or_to_different_patterns_are_no_finding() -> None:
    calls = [http_call(f"/report/{name}") for name in ("a", "b", "c", "d", "e", "f")]
    calls += [http_call() for _ in range(outbound.THRESHOLD - 1)]
    report = analyse([recording("v", http_calls=calls)], source="t", relations={})
    assert report.views[0].n_plus_one_calls == []
    assert N_PLUS_ONE_API not in report.views[0].flags


def test_growth_across_sizes_is_per_row_and_a_constant_count_is_a_repeated_call() -> None:
    growing = [_per_row(5, "10"), _per_row(10, "20")]
    (found,) = analyse(growing, source="t", relations={}).views[0].n_plus_one_calls
    assert found.counts_by_size == [("10", 5), ("20", 10)]
    assert found.fix == outbound.PER_ROW_FIX

    constant = [_per_row(6, "10"), _per_row(6, "20")]
    (same,) = analyse(constant, source="t", relations={}).views[0].n_plus_one_calls
    assert same.fix.startswith("6× the same call at every size")


def test_refused_calls_still_count_and_are_reported_as_failed() -> None:
    calls = [http_call(status=None) for _ in range(6)]
    (found,) = (
        analyse([recording("v", http_calls=calls)], source="t", relations={})
        .views[0]
        .n_plus_one_calls
    )
    assert found.failed == 6


def test_a_view_waiting_mostly_on_calls_is_outbound_bound() -> None:
    slow = [http_call("/quote", ms=40.0), http_call("/rates/#", ms=5.0)]
    waiting = recording("v", http_calls=slow, wall_ms=50.0)
    (view,) = analyse([waiting], source="t", relations={}).views
    assert OUTBOUND_BOUND in view.flags
    assert view.outbound is not None
    assert view.outbound.share == pytest.approx(0.9)
    assert view.outbound.slowest_call == "GET api.example.com/quote"
    assert view.outbound.hosts == ["api.example.com"]
    assert view.outbound.fix.startswith("90% of the view's time is spent waiting on")
    assert view.sizes[0].http_calls_mean == 2 and view.sizes[0].http_ms_mean == 45.0


def test_calls_that_take_a_small_share_do_not_flag_the_view() -> None:
    quick = recording("v", http_calls=[http_call(ms=10.0)], wall_ms=100.0)
    (view,) = analyse([quick], source="t", relations={}).views
    assert view.outbound is None and OUTBOUND_BOUND not in view.flags


def test_stored_recordings_give_the_same_findings() -> None:
    """What ``perfkit report`` reads back from a store is enough for both findings."""
    made = [_per_row(8), recording("v", http_calls=[http_call(ms=40.0)], wall_ms=50.0)]
    stored = [Recording.from_dict(json.loads(json.dumps(r.to_dict()))) for r in made]
    before, after = (analyse(rs, source="t", relations={}) for rs in (made, stored))
    assert [v.n_plus_one_calls for v in after.views] == [v.n_plus_one_calls for v in before.views]
    assert [v.outbound for v in after.views] == [v.outbound for v in before.views]
    assert after.views[0].n_plus_one_calls and after.views[1].outbound is not None
