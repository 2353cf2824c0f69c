"""SQL fingerprints and cache-key patterns."""

from __future__ import annotations

import pytest

from perfkit.fingerprint import fingerprint, key_pattern, path_pattern


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            'SELECT "t"."a" FROM "t" WHERE "t"."id" = 1',
            'SELECT "t"."a" FROM "t" WHERE "t"."id" = 2',
        ),
        ("SELECT a FROM t WHERE name = 'x'", "SELECT a FROM t WHERE name = 'yy'"),
        ("SELECT a FROM t WHERE id IN (%s, %s)", "SELECT a FROM t WHERE id IN (%s, %s, %s, %s)"),
        ("SELECT a FROM t WHERE id IN (1, 2)", "SELECT a FROM t WHERE id IN (%s)"),
        ("SELECT a FROM t WHERE flag = true", "SELECT a FROM t WHERE flag = FALSE"),
        ('SAVEPOINT "s140_x1"', 'SAVEPOINT "s99_x7"'),
        ('RELEASE SAVEPOINT "s1_x2"', 'RELEASE SAVEPOINT "s3_x4"'),
        ("SELECT a FROM t WHERE x = 3.5", "select a from t where x = %s"),
    ],
)
def test_same_query_with_other_parameters_shares_a_fingerprint(a: str, b: str) -> None:
    assert fingerprint(a) == fingerprint(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ('SELECT "t"."a" FROM "t"', 'SELECT "t"."b" FROM "t"'),
        ('SELECT a FROM "story"', 'SELECT a FROM "author"'),
        ("SELECT a FROM t WHERE id IN (SELECT b FROM u)", "SELECT a FROM t WHERE id IN (%s)"),
    ],
)
def test_different_queries_get_different_fingerprints(a: str, b: str) -> None:
    assert fingerprint(a)[0] != fingerprint(b)[0]


def test_normalized_sql_keeps_identifiers_and_drops_values() -> None:
    sql = """SELECT "demo_story"."id" FROM "demo_story" WHERE "demo_story"."title" = 'secret'
             AND "demo_story"."id" IN (1, 2, 3) LIMIT 21"""
    fp, normalized = fingerprint(sql)
    assert normalized == (
        'SELECT "demo_story"."id" FROM "demo_story" WHERE "demo_story"."title" = # '
        'AND "demo_story"."id" IN (...) LIMIT #'
    )
    assert len(fp) == 16 and int(fp, 16) >= 0


def test_fingerprints_are_cached() -> None:
    fingerprint.cache_clear()
    fingerprint("SELECT 1")
    fingerprint("SELECT 1")
    assert fingerprint.cache_info().hits == 1


@pytest.mark.parametrize(
    ("key", "pattern"),
    [
        ("user:42:profile", "user:#:profile"),
        ("sess:123e4567-e89b-12d3-a456-426614174000", "sess:<uuid>"),
        ("page.d41d8cd98f00b204e9800998ecf8427e.en", "page.<hex>.en"),
        ("demo:tag-cloud:v1", "demo:tag-cloud:v#"),
        ("plain", "plain"),
        ("user:alice@example.com:profile", "user:<str>:profile"),
        ("user:alice.smith@example.com:profile", "user:<str>:profile"),
        ("api:sk_live_1cbzZG06xQ9aBcD", "api:<str>"),
        ("search:my social security number", "search:<str>"),
        ("jwt:eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "jwt:<str>.<str>.<str>"),
        ("base:aGVsbG8gd29ybGQ=", "base:<str>"),
        ("code:s3cret", "code:<str>"),
        ("name:Alice", "name:<str>"),
        ("name:josé", "name:<str>"),
        ("card:4111111111111111", "card:<hex>"),
        ("views.decorators.cache.cache_page", "views.decorators.cache.cache_page"),
        ("a_very_long_name_that_is_not_code", "<str>"),
        ("app|user|42|api_v2_prefs", "app|user|#|api_v#_prefs"),
        (
            "views.decorators.cache.cache_header..d41d8cd98f00b204e9800998ecf8427e.en-us.UTC",
            "views.decorators.cache.cache_header..<hex>.en-us.<str>",
        ),
        (
            "views.decorators.cache.cache_page.site.HEAD.d41d8cd98f00b204e9800998ecf8427e."
            "d41d8cd98f00b204e9800998ecf8427e.fr.Europe/Paris",
            "views.decorators.cache.cache_page.site.HEAD.<hex>.<hex>.fr.<str>",
        ),
        ("template.cache.sidebar.d41d8cd98f00b204e9800998ecf8427e", "template.cache.sidebar.<hex>"),
        (42, "#"),
    ],
)
def test_key_pattern_keeps_only_what_looks_like_code(key: object, pattern: str) -> None:
    assert key_pattern(key) == pattern


@pytest.mark.parametrize(
    ("target", "pattern"),
    [
        ("/api/v1/users/42/orders?page=3&token=s3cret", "/api/v#/users/#/orders"),
        ("/users/123e4567-e89b-12d3-a456-426614174000/", "/users/<uuid>/"),
        ("/blobs/d41d8cd98f00b204e9800998ecf8427e", "/blobs/<hex>"),
        ("/people/alice@example.com/avatar.png", "/people/<str>/avatar.png"),
        ("/people/Alice%20Smith", "/people/<str>"),
        ("/search/my social security number#frag", "/search/<str>"),
        ("http://api.example.com:8080/v2/items/7?q=x", "/v#/items/#"),
        ("https://user:pw@api.example.com", "/"),
        ("/", "/"),
        ("", ""),
    ],
)
def test_path_pattern_drops_the_query_and_collapses_values(target: str, pattern: str) -> None:
    assert path_pattern(target) == pattern


@pytest.mark.parametrize(
    ("sql", "normalized"),
    [
        ("SELECT a FROM t WHERE b = 'it''s alice'", "SELECT a FROM t WHERE b = #"),
        ("SELECT a FROM t WHERE b = E'it\\'s alice'", "SELECT a FROM t WHERE b = #"),
        ("SELECT a FROM t WHERE b = 'alice", "SELECT a FROM t WHERE b = #"),
        ('SELECT "alice" FROM t', 'SELECT "alice" FROM t'),
    ],
)
def test_string_literals_collapse_however_they_are_quoted(sql: str, normalized: str) -> None:
    assert fingerprint(sql)[1] == normalized


@pytest.mark.parametrize(
    ("sql", "normalized"),
    [
        ('SELECT `a` FROM `t` WHERE `b` = "alice"', "SELECT `a` FROM `t` WHERE `b` = #"),
        ('SELECT a FROM t WHERE b = "say \\"hi\\" alice"', "SELECT a FROM t WHERE b = #"),
        ("SELECT a FROM t WHERE b = 'it\\'s alice'", "SELECT a FROM t WHERE b = #"),
        ('SELECT a FROM t WHERE b = "alice', "SELECT a FROM t WHERE b = #"),
    ],
)
def test_on_mysql_double_quotes_are_a_value(sql: str, normalized: str) -> None:
    assert fingerprint(sql, "mysql")[1] == normalized


def test_double_quotes_stay_identifiers_elsewhere() -> None:
    sql = 'SELECT "t"."name" FROM "t" WHERE "t"."id" = 1'
    for vendor in ("sqlite", "postgresql"):
        assert fingerprint(sql, vendor)[1] == 'SELECT "t"."name" FROM "t" WHERE "t"."id" = #'
