"""Caching candidates and the views whose writes must invalidate them."""

from __future__ import annotations

from perfkit.analysis import analyse
from tests.analysis.factories import query, recording

READ = 'SELECT "shop_item"."id" FROM "shop_item" WHERE x = %s'
WRITE = 'INSERT INTO "shop_item" ("name") VALUES (%s)'


def heavy(view: str = "shop:list", **fields):
    return recording(view, *[query(READ, ms=0.2)] * 4, **fields)


def candidates(*recordings):
    return analyse(recordings, source="t", relations={}).caching_candidates


def test_a_repeating_view_is_a_candidate_invalidated_by_the_writer() -> None:
    (found,) = candidates(
        heavy(), heavy(), heavy(), recording("shop:add", query(WRITE), method="POST", status=302)
    )
    assert (found.view, found.requests, found.repeat_ratio) == ("shop:list", 3, 0.6667)
    assert found.tables == ["shop_item"]
    assert found.invalidated_by == ["shop:add"]
    assert "invalidation" in found.tool
    assert found.saved_ms == 2 * 5.0


def test_anonymous_view_with_no_writers_gets_cache_page() -> None:
    (found,) = candidates(heavy(), heavy())
    assert found.tool == "@cache_page"


def test_logged_in_views_get_a_fragment_or_low_level_cache() -> None:
    (found,) = candidates(heavy(authenticated=True), heavy(authenticated=True))
    assert "fragment" in found.tool


def test_a_page_that_differs_over_the_same_query_results_gets_a_query_cache() -> None:
    (found,) = candidates(heavy(body_hash="a"), heavy(body_hash="b"), heavy(body_hash="c"))
    assert (found.requests, found.repeat_ratio) == (3, 0.6667)
    assert "cache.get_or_set" in found.tool and "the same rows" in found.why
    # Two queries are too few whatever they took (a loaded machine's 2 ms must not decide).
    slow = [recording("shop:list", *[query(READ, ms=3.0)] * 2, body_hash=f"{i}") for i in range(3)]
    assert candidates(*slow) == []


def test_a_logged_in_users_session_write_invalidates_nothing() -> None:
    session = 'SELECT "django_session"."session_data" FROM "django_session" WHERE k = %s'
    touch = 'UPDATE "django_session" SET "expire_date" = %s WHERE k = %s'
    page = [recording("shop:list", query(session), *[query(READ, ms=0.2)] * 4) for _ in range(2)]
    other = recording("shop:other", query(touch))
    (found,) = candidates(*page, other)
    assert found.tables == ["shop_item"] and found.invalidated_by == []


def test_views_that_are_not_candidates() -> None:
    assert candidates(heavy(has_etag=True), heavy(has_etag=True)) == []
    differ = [
        recording("shop:list", *[query(READ, ms=0.2, params=f"{i}")] * 4, body_hash=f"{i}")
        for i in range(3)
    ]
    assert candidates(*differ) == []
    assert candidates(heavy(), heavy(), heavy(method="POST", status=302)) == []
    cheap = [recording("shop:list", query(READ, ms=0.01)) for _ in range(3)]
    assert candidates(*cheap) == []
    assert candidates(heavy()) == []


def test_several_queries_are_worth_a_cache_however_quick_the_machine_ran_them() -> None:
    # SQLite on a quiet machine: three queries in 0.01 ms each; count decides, not speed.
    quick = [recording("shop:list", *[query(READ, ms=0.01)] * 3) for _ in range(2)]
    (found,) = candidates(*quick)
    assert found.view == "shop:list"


SESSION = (
    'SELECT "django_session"."session_data" FROM "django_session"'
    ' WHERE ("django_session"."expire_date" > # AND "django_session"."session_key" = #) LIMIT #'
)
USER = (
    'SELECT "auth_user"."id", "auth_user"."username" FROM "auth_user"'
    ' WHERE "auth_user"."id" = # LIMIT #'
)


def test_a_logged_in_pages_session_and_user_lookups_make_no_candidate() -> None:
    # healthchecks' integration forms: the session, the user, one query of the page's own.
    def page(*data: str):
        return recording(
            "hc:add", query(SESSION), query(USER), *[query(d) for d in data], authenticated=True
        )

    assert candidates(page(READ), page(READ), page(READ)) == []
    (found,) = candidates(*[page(READ, READ, READ) for _ in range(3)])
    assert found.view == "hc:add" and "fragment" in found.tool


def test_the_login_lookup_counts_as_own_state_with_what_it_joins() -> None:
    joined = (
        'SELECT "auth_user"."id", "accounts_profile"."id" FROM "auth_user"'
        ' LEFT OUTER JOIN "accounts_profile" ON ("auth_user"."id" = "accounts_profile"."user_id")'
        ' WHERE "auth_user"."id" = # LIMIT #'
    )
    page = [recording("hc:add", query(SESSION), query(joined), query(READ)) for _ in range(3)]
    assert candidates(*page) == []


def test_a_page_that_reads_users_is_not_mistaken_for_the_login_lookup() -> None:
    users = 'SELECT "auth_user"."id" FROM "auth_user" WHERE "auth_user"."is_active" ORDER BY 1'
    by_author = (
        'SELECT "blog_post"."id" FROM "blog_post" INNER JOIN "auth_user"'
        ' ON ("blog_post"."author_id" = "auth_user"."id") WHERE "auth_user"."id" = #'
    )
    (found,) = candidates(*[recording("people", *[query(users)] * 3) for _ in range(2)])
    assert found.tables == ["auth_user"]
    (found,) = candidates(*[recording("posts", *[query(by_author)] * 3) for _ in range(2)])
    assert found.view == "posts"


def test_ranked_by_database_time_saved() -> None:
    light = [recording("a:light", *[query(READ, ms=0.05)] * 3) for _ in range(3)]
    heavier = [recording("a:heavy", *[query(READ, ms=0.5)] * 3) for _ in range(3)]
    assert [c.view for c in candidates(*light, *heavier)] == ["a:heavy", "a:light"]
