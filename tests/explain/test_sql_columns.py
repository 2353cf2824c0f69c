"""The columns a statement filters and sorts each table on, as Django writes statements."""

from __future__ import annotations

from perfkit.explain.sql_columns import uses


def test_equality_range_and_order_columns_of_one_table() -> None:
    found = uses(
        'SELECT "r"."id" FROM "catalog_review" "r" WHERE ("r"."book_id" = %s AND '
        '"r"."stars" >= %s AND "r"."deleted" IS NULL) ORDER BY "r"."created" DESC LIMIT 10',
        "postgresql",
    )
    use = found.tables["catalog_review"]
    assert use.equal == ["book_id", "deleted"]
    assert use.ranged == ["stars"]
    assert use.order == [("created", True)]
    assert found.table("r") == "catalog_review"


def test_a_join_condition_is_no_filter_and_aliases_resolve_in_any_case() -> None:
    found = uses(
        "SELECT `b`.`id` FROM `catalog_book` `b` INNER JOIN `catalog_author` U1 "
        "ON (`b`.`author_id` = U1.`id`) WHERE U1.`name` IN (%s, %s) ORDER BY `b`.`title` ASC",
        "mysql",
    )
    assert found.tables["catalog_book"].filtered == []
    assert found.tables["catalog_book"].order == [("title", False)]
    assert found.tables["catalog_author"].equal == ["name"]
    assert found.table("u1") == "catalog_author"


def test_an_unqualified_column_belongs_to_the_only_table() -> None:
    found = uses("SELECT id FROM legacy_stat WHERE hits > ? ORDER BY hits", "sqlite")
    assert found.tables["legacy_stat"].ranged == ["hits"]
    assert found.tables["legacy_stat"].order == [("hits", False)]


def test_a_statement_sqlglot_cannot_parse_uses_nothing() -> None:
    assert uses("SELECT FROM WHERE ((", "postgresql").tables == {}
