"""The deterministic checks."""

from __future__ import annotations

from perfkit.gate.counts import Policy, compare
from tests.gate.factories import LIST, OWNER, baseline


def failed(base, current, policy=None):
    found = compare(base, current, policy or Policy())
    return {f.check: f for f in found if not f.passed}


def test_an_unchanged_run_passes_every_check() -> None:
    found = compare(baseline(), baseline(), Policy())
    assert {f.check for f in found} == {
        "query_count",
        "new_fingerprints",
        "n_plus_one",
        "n_plus_one_api",
        "unused_eager_load",
        "o_n",
        "cache_hit_ratio",
        "full_scan",
    }
    assert all(f.passed for f in found)


def test_an_added_per_row_query_fails_naming_the_view_query_and_line() -> None:
    group = {"f2": {"sql": OWNER[1], "callsite": OWNER[3]}}
    current = baseline(11, LIST, OWNER, verdict="O(n)", n_plus_one=group)
    fails = failed(baseline(), current)
    assert set(fails) == {"query_count", "new_fingerprints", "n_plus_one", "o_n"}
    assert fails["query_count"].message.startswith("n=10: 2 → 11 queries")
    assert fails["query_count"].callsite == OWNER[3]
    assert fails["new_fingerprints"].message.startswith(f"new query f2: {OWNER[1]} from {OWNER[3]}")
    assert fails["n_plus_one"].location() == ("shop/templates/items.html", 4)
    assert fails["o_n"].message == "turned O(n) (was O(1))"


def test_max_policy_allows_fewer_queries_and_the_allowance() -> None:
    assert "query_count" in failed(baseline(3), baseline(2))
    assert "query_count" not in failed(baseline(3), baseline(2), Policy(mode="max"))
    allowance = Policy(mode="max", allowances={"shop:items": 1})
    assert "query_count" not in failed(baseline(2), baseline(3), allowance)
    assert "query_count" in failed(baseline(2), baseline(4), allowance)


def test_cache_hit_ratio_drop_fails_and_a_rise_passes() -> None:
    assert "cache_hit_ratio" in failed(baseline(ratio=1.0), baseline(ratio=0.5))
    assert "cache_hit_ratio" in failed(baseline(ratio=1.0), baseline(ratio=None))
    assert "cache_hit_ratio" not in failed(baseline(ratio=0.5), baseline(ratio=1.0))
    assert "cache_hit_ratio" not in failed(
        baseline(ratio=1.0), baseline(ratio=0.95), Policy(hit_ratio_drop=0.1)
    )


def test_a_view_missing_from_the_run_is_skipped_not_failed() -> None:
    current = baseline()
    current.views = {}
    (finding,) = compare(baseline(), current, Policy())
    assert finding.skipped and finding.passed


API_CALL = "GET api.example.com/v#/users/#"
API_SITE = "shop/views.py:31 in items"


def test_a_new_n_plus_one_api_call_fails_naming_the_call_and_line() -> None:
    calls = {API_CALL: {"count": 10, "callsite": API_SITE}}
    fails = failed(baseline(), baseline(calls=calls))
    assert set(fails) == {"n_plus_one_api"}
    assert fails["n_plus_one_api"].message == (
        f"new N+1 API call: {API_CALL} made 10× in one request from {API_SITE}"
    )
    assert fails["n_plus_one_api"].location() == ("shop/views.py", 31)


def test_an_n_plus_one_api_call_already_in_the_baseline_passes() -> None:
    calls = {API_CALL: {"count": 10, "callsite": API_SITE}}
    assert failed(baseline(calls=calls), baseline(calls=calls)) == {}
    assert failed(baseline(calls=calls), baseline()) == {}


SCAN = {
    "full_scan shop_item(owner_name)": {
        "sql": 'SELECT "shop_item"."id" FROM "shop_item" WHERE "shop_item"."owner_name" = #',
        "callsite": "shop/views.py:10 in items",
        "index": 'models.Index(fields=["owner_name"])',
    }
}


def test_a_new_full_scan_fails_naming_its_line_and_the_index_to_add() -> None:
    fails = failed(baseline(), baseline(scans=SCAN))
    assert set(fails) == {"full_scan"}
    assert fails["full_scan"].location() == ("shop/views.py", 10)
    assert fails["full_scan"].message.startswith("new full_scan shop_item(owner_name): SELECT")
    assert fails["full_scan"].message.endswith('; add models.Index(fields=["owner_name"])')


def test_a_full_scan_the_baseline_has_passes_and_a_fixed_one_too() -> None:
    assert "full_scan" not in failed(baseline(scans=SCAN), baseline(scans=SCAN))
    assert "full_scan" not in failed(baseline(scans=SCAN), baseline())


EAGER = 'select_related("member") on shop.Loan'
EAGER_SITE = "shop/views.py:42 in loans"
EAGER_FIX = f'remove "member" from select_related at {EAGER_SITE}: the view never reads it'


def test_a_new_unused_eager_load_fails_naming_the_lookup_and_line() -> None:
    eager = {EAGER: {"callsite": EAGER_SITE, "fix": EAGER_FIX}}
    fails = failed(baseline(), baseline(eager=eager))
    assert set(fails) == {"unused_eager_load"}
    assert fails["unused_eager_load"].message == (
        f"new unused eager load: {EAGER}, its rows never read, asked for at {EAGER_SITE}: "
        f"{EAGER_FIX}"
    )
    assert fails["unused_eager_load"].location() == ("shop/views.py", 42)


def test_an_unused_eager_load_already_in_the_baseline_passes_wherever_its_line_moved() -> None:
    eager = {EAGER: {"callsite": EAGER_SITE, "fix": EAGER_FIX}}
    moved = {EAGER: {"callsite": "shop/views.py:50 in loans", "fix": EAGER_FIX}}
    assert failed(baseline(eager=eager), baseline(eager=moved)) == {}
    assert failed(baseline(eager=eager), baseline()) == {}
