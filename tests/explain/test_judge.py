"""Findings from plans: a full read or a sort is flagged only where no index serves it."""

from __future__ import annotations

from perfkit.explain.judge import Measured, judge
from perfkit.explain.plan_reading import Access, ReadPlan
from perfkit.explain.sql_columns import uses
from perfkit.explain.table_indexes import TableIndexes

COUNT = 'SELECT COUNT(*) FROM "shop_item" WHERE "shop_item"."owner" = %s'
NEWEST = (
    'SELECT "shop_item"."id" FROM "shop_item" WHERE "shop_item"."shop_id" = %s '
    'ORDER BY "shop_item"."created" DESC LIMIT 10'
)
ROWS = {"shop_item": {"5": 5, "30": 30}}


def scan(rows: float | None = None) -> ReadPlan:
    return ReadPlan([Access("shop_item", True, None, rows)], lines=["SCAN shop_item"])


def test_a_full_read_to_filter_grows_inside_one_query() -> None:
    plans, found = judge(
        uses(COUNT, "postgresql"),
        [Measured("5", scan(), 1), Measured("30", scan(), 1)],
        {"shop_item": TableIndexes([["id"]])},
        ROWS,
    )
    assert [(p.size, p.rows_examined, p.rows_returned) for p in plans] == [
        ("5", 5, 1),
        ("30", 30, 1),
    ]
    assert [f.kind for f in found] == ["full_scan", "examined_grows"]
    assert found[0].fields == ["owner"] and found[0].index == 'models.Index(fields=["owner"])'
    assert found[1].detail == "reads 5 → 30 rows (n=5 → n=30) to return 1"


def test_an_index_on_the_filter_is_no_finding_whatever_the_planner_chose() -> None:
    _plans, found = judge(
        uses(COUNT, "postgresql"),
        [Measured("5", scan(), 1), Measured("30", scan(), 1)],
        {"shop_item": TableIndexes([["id"], ["owner"]])},
        ROWS,
    )
    assert [f.kind for f in found] == ["examined_grows"]


def test_a_table_that_does_not_grow_is_no_full_scan() -> None:
    _plans, found = judge(
        uses(COUNT, "postgresql"),
        [Measured("5", scan(), 1), Measured("30", scan(), 1)],
        {},
        {"shop_item": {"5": 3, "30": 3}},
    )
    assert found == []


def test_a_sort_after_a_foreign_key_filter_asks_for_both_columns() -> None:
    sorted_plan = ReadPlan([Access("shop_item", False, "shop_id_idx")], sorts=True)
    _plans, found = judge(
        uses(NEWEST, "postgresql"),
        [Measured("30", sorted_plan, 10)],
        {"shop_item": TableIndexes([["id"], ["shop_id"]], [["id"]])},
        ROWS,
    )
    assert [(f.kind, f.fields) for f in found] == [("unindexed_sort", ["shop_id", "-created"])]
    _plans, found = judge(
        uses(NEWEST, "postgresql"),
        [Measured("30", sorted_plan, 10)],
        {"shop_item": TableIndexes([["id"], ["shop_id", "created"]], [["id"]])},
        ROWS,
    )
    assert found == []


def test_a_column_filtered_and_sorted_on_is_one_index_column() -> None:
    """djangopackages' blog posts: filtered on published_date and sorted by it, descending;
    the advice was ``fields=["published_date", "-published_date"]``."""
    latest = (
        'SELECT "shop_item"."id" FROM "shop_item" WHERE "shop_item"."created" <= %s '
        'ORDER BY "shop_item"."created" DESC'
    )
    _plans, found = judge(
        uses(latest, "postgresql"),
        [Measured("5", scan(), 5), Measured("30", scan(), 30)],
        {"shop_item": TableIndexes([["id"]])},
        ROWS,
    )
    assert found and all(f.fields == ["created"] for f in found)
    assert found[0].index == 'models.Index(fields=["created"])'
