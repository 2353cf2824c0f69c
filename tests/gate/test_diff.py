"""Baseline diffs as a reviewer reads them."""

from __future__ import annotations

from perfkit.gate.diff import diff
from tests.gate.factories import LIST, OWNER, baseline, changed


def test_identical_baselines_have_no_diff() -> None:
    assert diff(baseline(), baseline()) == []


def test_changes_are_listed() -> None:
    group = {"f2": {"sql": OWNER[1], "callsite": OWNER[3]}}
    new = baseline(11, LIST, OWNER, verdict="O(n)", n_plus_one=group)
    assert diff(baseline(), new) == [
        "~ shop:items: O(1) → O(n)",
        "~ shop:items n=10: 2 → 11 queries",
        f"+ shop:items n=10: {OWNER[1]} ({OWNER[3]})",
        '- shop:items n=10: SELECT "auth_user"."id" FROM "auth_user"',
        f"+ shop:items: N+1 group at {OWNER[3]}",
    ]


def test_a_new_machine_is_noted() -> None:
    assert diff(baseline(), changed(baseline(), fingerprint="bbbb")) == [
        "~ environment changed: latency figures are not comparable"
    ]
