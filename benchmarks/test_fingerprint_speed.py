"""SQL fingerprinting: a cached lookup and a first parse, against sqlparse's own parse."""

from __future__ import annotations

import sqlparse

from perfkit.fingerprint import _shape, fingerprint

SQL = (
    'SELECT "demo_story"."id", "demo_story"."title", "demo_author"."name" FROM "demo_story" '
    'INNER JOIN "demo_author" ON ("demo_story"."author_id" = "demo_author"."id") '
    'WHERE ("demo_story"."id" IN (%s, %s, %s) AND "demo_story"."title" = %s) LIMIT 21'
)


def test_sqlparse_parse_baseline(benchmark) -> None:
    benchmark.group = "fingerprint"
    assert benchmark(sqlparse.parse, SQL)


def test_first_fingerprint(benchmark) -> None:
    benchmark.group = "fingerprint"
    assert benchmark(_shape.__wrapped__, SQL)[1].count("#") == 2


def test_fingerprint_of_new_literals(benchmark) -> None:
    """Inlined values change every call: the shape cache answers after a regex pass."""
    benchmark.group = "fingerprint"
    values = iter(range(10**9))
    fingerprint("SELECT a FROM t WHERE id = 1 AND name = 'x'")
    assert benchmark(
        lambda: fingerprint(f"SELECT a FROM t WHERE id = {next(values)} AND name = 'x'")
    )


def test_cached_fingerprint(benchmark) -> None:
    benchmark.group = "fingerprint"
    fingerprint(SQL)
    assert benchmark(fingerprint, SQL)[0]
