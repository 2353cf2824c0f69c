"""Tables read and written by a statement."""

from __future__ import annotations

import pytest

from perfkit.analysis.sqltables import tables


@pytest.mark.parametrize(
    ("sql", "read", "written"),
    [
        ('SELECT "s"."id" FROM "demo_story" "s" WHERE x = #', ("demo_story",), ()),
        (
            'SELECT "demo_tag"."id" FROM "demo_tag" INNER JOIN "demo_story_tags" ON (a = b)',
            ("demo_tag", "demo_story_tags"),
            (),
        ),
        ("SELECT `a`.`id` FROM `a` LEFT OUTER JOIN `b` ON (x = y)", ("a", "b"), ()),
        (
            'INSERT INTO "demo_story" ("title") VALUES (...) RETURNING "demo_story"."id"',
            (),
            ("demo_story",),
        ),
        ('UPDATE "demo_story" SET "title" = # WHERE "demo_story"."id" = #', (), ("demo_story",)),
        ('DELETE FROM "t" WHERE x IN (SELECT y FROM "u")', ("u",), ("t",)),
        ("SAVEPOINT #", (), ()),
        # A literal in the select list is a `#` placeholder: it must not hide the tables.
        (
            'SELECT # AS "a", "t"."id" FROM "t" INNER JOIN "u" ON ("t"."u_id" = "u"."id")',
            ("t", "u"),
            (),
        ),
        ('SELECT "we#ird"."id" FROM "we#ird" WHERE x = #', ("we#ird",), ()),
    ],
)
def test_tables(sql: str, read: tuple, written: tuple) -> None:
    assert tables(sql) == (read, written)
