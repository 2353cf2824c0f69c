"""Whether a table's indexes serve a filter or an order, and the advice's wording."""

from __future__ import annotations

from perfkit.explain.table_indexes import TableIndexes, index_line


def test_an_index_serves_a_filter_on_its_leading_column_only() -> None:
    have = TableIndexes([["id"], ["book_id", "created"]])
    assert have.serves_filter(["book_id", "reader"])
    assert not have.serves_filter(["created"])


def test_an_index_serves_an_order_after_the_equality_columns() -> None:
    have = TableIndexes([["book_id", "created"]])
    assert have.serves_order(["book_id"], ["created"])
    assert have.serves_order([], ["book_id", "created"])
    assert not have.serves_order(["reader"], ["created"])


def test_equality_on_a_unique_key_picks_one_row() -> None:
    have = TableIndexes([["id"], ["owner_id", "name"]], [["id"], ["owner_id", "name"]])
    assert have.one_row(["id"])
    assert have.one_row(["name", "owner_id", "x"])
    assert not have.one_row(["owner_id"])


def test_the_index_line_is_what_meta_indexes_takes() -> None:
    assert index_line(["author", "-created"]) == 'models.Index(fields=["author", "-created"])'
