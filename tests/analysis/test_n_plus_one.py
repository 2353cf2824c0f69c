"""N+1 groups inside one request."""

from __future__ import annotations

from perfkit.analysis.fixes import django_relations
from perfkit.analysis.n_plus_one import groups
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
