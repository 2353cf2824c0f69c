"""The fix named for an N+1 group, from the installed models' relations."""

from __future__ import annotations

from perfkit.analysis.fixes import Relation, django_relations, suggest


def test_forward_foreign_key_and_many_to_many_from_the_demo_models() -> None:
    relations = django_relations()
    assert suggest(relations, "demo_story", "demo_author") == 'select_related("author")'
    assert suggest(relations, "demo_story", "demo_tag") == 'prefetch_related("tags")'


def test_reverse_foreign_key_is_prefetched_by_its_accessor() -> None:
    assert suggest(django_relations(), "demo_author", "demo_story") == 'prefetch_related("stories")'


def test_unknown_tables_get_a_general_fix_naming_them() -> None:
    text = suggest({}, "shop_order", "shop_item")
    assert "shop_order" in text and "shop_item" in text and "prefetch_related" in text
    assert "select_related" in suggest({}, None, None)


def test_tables_no_relation_links_get_a_bulk_fetch_never_an_eager_load() -> None:
    """DjangoBlog's sidebar queried articles per sidebar row and was told to select_related a
    relation from blog_sidebar to blog_article that does not exist."""
    relations = django_relations()
    text = suggest(relations, "demo_tag", "demo_author")
    assert text.startswith("no relation links demo_tag to demo_author")
    assert "select_related" not in text and "prefetch_related" not in text
    assert "in_bulk" in text
    # Baby Buddy's core_child rows each queried core_child again: not "no relation links
    # core_child to core_child", which contradicts itself
    same = suggest(relations, "demo_author", "demo_author")
    assert same.startswith("each demo_author row queries demo_author again")
    assert "no relation" not in same and "select_related" not in same and "in_bulk" in same


#: A book table with two foreign keys to the authors table, and a many-to-many to tags.
TWO_WAYS = {
    "shop_book": [
        Relation("shop_book", "author", "shop_author", True),
        Relation("shop_book", "translator", "shop_author", True),
        Relation("shop_book", "tags", "shop_tag", False),
    ]
}


def test_of_two_relations_to_a_table_the_one_the_loop_loaded_is_named() -> None:
    lazy = frozenset({("shop_book", "translator")})
    assert suggest(TWO_WAYS, "shop_book", "shop_author", lazy) == 'select_related("translator")'
    both = frozenset({("shop_book", "translator"), ("shop_book", "author")})
    assert suggest(TWO_WAYS, "shop_book", "shop_author", both) == (
        'select_related("author", "translator"): the loop reads each of them'
    )


def test_a_relation_the_loop_never_loaded_is_never_suggested() -> None:
    text = suggest(TWO_WAYS, "shop_book", "shop_author", frozenset())
    assert text.startswith("the loop reads no relation that links shop_book to shop_author")
    assert "select_related" not in text and "in_bulk" in text
    # To-many relations are not seen loading: tracking leaves them as they were.
    assert suggest(TWO_WAYS, "shop_book", "shop_tag", frozenset()) == 'prefetch_related("tags")'


def test_without_tracking_every_candidate_is_named_none_picked() -> None:
    assert suggest(TWO_WAYS, "shop_book", "shop_author") == (
        'select_related("author") or select_related("translator"): whichever relation the '
        "loop reads"
    )
