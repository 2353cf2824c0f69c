"""N+1 groups inside one request, and lookups repeated the same number of times at every size."""

from __future__ import annotations

from perfkit.analysis.analyse import analyse
from perfkit.analysis.fixes import django_relations
from perfkit.analysis.n_plus_one import groups
from perfkit.analysis.report import N_PLUS_ONE, REPEATED_LOOKUP, ViewReport
from tests.analysis.factories import query, recording

LIST = 'SELECT "demo_story"."id" FROM "demo_story"'
AUTHOR = 'SELECT "demo_author"."id" FROM "demo_author" WHERE "demo_author"."id" = %s'
TAGS = (
    'SELECT "demo_tag"."id" FROM "demo_tag" INNER JOIN "demo_story_tags" ON (a = b)'
    ' WHERE "demo_story_tags"."story_id" = %s'
)


def test_groups_follow_the_list_query_and_name_the_fix() -> None:
    rows = [query(AUTHOR), query(TAGS)] * 6
    found = groups(recording("v", query(LIST, rows=6), *rows), django_relations())
    assert [(g.table, g.count, g.follows_table, g.follows_rows, g.fix) for g in found] == [
        ("demo_author", 6, "demo_story", 6, 'select_related("author")'),
        ("demo_tag", 6, "demo_story", 6, 'prefetch_related("tags")'),
    ]


def test_below_the_threshold_is_no_group() -> None:
    rows = [query(AUTHOR)] * 4
    assert groups(recording("v", query(LIST), *rows), django_relations()) == []
    assert len(groups(recording("v", query(LIST), *rows), django_relations(), threshold=4)) == 1


CONTENT_TYPE = 'SELECT "django_content_type"."id" FROM "django_content_type" WHERE "id" = %s'


def _per_row(count: int) -> list:
    """A list of ``count`` rows, then each row's author: its own parameters per row."""
    return [query(LIST, rows=count), *(query(AUTHOR, params=f"a{i}") for i in range(count))]


def _analysed(by_size: dict[int, list]) -> ViewReport:
    recordings = [recording("v", *queries, size=str(n)) for n, queries in by_size.items()]
    (view,) = analyse(recordings, source="test", relations=django_relations()).views
    return view


def test_the_same_lookup_at_every_size_is_a_repeated_lookup_not_growth() -> None:
    """The admin's 40 identical content-type lookups, at 10 rows and at 50."""
    same = [query(CONTENT_TYPE, params="ct")] * 40
    view = _analysed({10: [*_per_row(3), *same], 50: [*_per_row(3), *same]})
    assert view.fit is not None and view.fit.verdict == "O(1)"
    assert [(g.table, g.count) for g in view.repeated_lookups] == [("django_content_type", 40)]
    assert "the same lookup" in view.repeated_lookups[0].fix
    assert view.flags == [REPEATED_LOOKUP]
    assert view.n_plus_one == []


def test_a_fixed_set_of_lookups_with_no_list_before_it_is_a_repeated_lookup() -> None:
    fixed = [query(CONTENT_TYPE, params=f"ct{i}") for i in range(8)]
    view = _analysed({10: fixed, 50: fixed})
    assert [g.count for g in view.repeated_lookups] == [8]
    assert "not one per row" in view.repeated_lookups[0].fix
    assert N_PLUS_ONE not in view.flags


def test_a_full_page_looked_up_row_by_row_stays_per_row() -> None:
    """25 rows per page at both sizes: flat, but each row has its own parameters."""
    view = _analysed({50: _per_row(25), 100: _per_row(25)})
    assert view.repeated_lookups == []
    assert [(g.count, g.follows_table) for g in view.n_plus_one] == [(25, "demo_story")]
    assert view.fit is not None and view.fit.verdict == "O(n) per page"


def test_lookups_repeating_after_a_query_of_unknown_rows_are_a_repeated_lookup() -> None:
    """djpress's admin: two group names checked five times each after a permission query, on
    SQLite (whose driver does not count a SELECT's rows), at every size."""
    checks = [query(LIST), *(query(AUTHOR, params=f"g{i % 2}") for i in range(10))]
    view = _analysed({5: checks, 30: checks})
    assert [g.count for g in view.repeated_lookups] == [10]
    assert view.n_plus_one == [] and N_PLUS_ONE not in view.flags


def test_a_full_page_after_a_query_of_unknown_rows_stays_per_row() -> None:
    """djpress's index with a full page at each size: each post's tags, its own parameters."""
    page = [query(LIST), *(query(AUTHOR, params=f"post{i}") for i in range(5))]
    view = _analysed({5: page, 30: page})
    assert view.repeated_lookups == []
    assert [g.count for g in view.n_plus_one] == [5]
    assert view.fit is not None and view.fit.verdict == "O(n) per page"


def test_a_lookup_whose_count_grows_is_per_row_even_with_the_same_parameters() -> None:
    view = _analysed({10: [query(AUTHOR, params="a")] * 10, 50: [query(AUTHOR, params="a")] * 50})
    assert view.repeated_lookups == []
    assert view.fit is not None and view.fit.verdict == "O(n)"


def test_one_size_cannot_tell_a_repeat_from_a_page() -> None:
    view = _analysed({10: [query(CONTENT_TYPE, params="ct")] * 40})
    assert view.repeated_lookups == [] and len(view.n_plus_one) == 1


def test_a_first_execution_elsewhere_is_left_out_of_the_group_start() -> None:
    """request.user loaded by the middleware, then each story's owner: the same statement."""
    user = query(AUTHOR, params="me")
    found = groups(recording("v", user, *_per_row(6)), django_relations())
    assert [(g.count, g.follows_table, g.fix) for g in found] == [
        (7, "demo_story", 'select_related("author")')
    ]
