"""The plan command on the real databases: what it refuses is a reason, never a crash."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connections

from perfkit.capture.statement_examples import Example
from perfkit.explain.plan_command import NotExplained, explain, redacted
from perfkit.explain.plan_reading import read

ALIASES = ["default", "postgresql", "mysql"]


@pytest.mark.parametrize("alias", ALIASES)
@pytest.mark.django_db(databases=ALIASES)
def test_a_select_is_explained_and_read_on_each_database(alias) -> None:
    vendor = connections[alias].vendor
    sql = "SELECT COUNT(*) FROM demo_author WHERE name = %s"
    plan = read(explain(Example(alias, vendor, sql, ("zebra-secret",))))
    assert [(a.table, a.full) for a in plan.accesses] == [("demo_author", True)]
    assert "zebra-secret" not in plan.text


@pytest.mark.parametrize("alias", ALIASES)
@pytest.mark.django_db(databases=ALIASES)
def test_a_refused_statement_is_a_reason_not_a_crash(alias) -> None:
    vendor = connections[alias].vendor
    sql = "SELECT * FROM no_such_table WHERE a = %s"
    with pytest.raises(NotExplained) as why:
        explain(Example(alias, vendor, sql, ("zebra-secret",)))
    assert str(why.value).startswith("EXPLAIN")
    assert "failed:" in str(why.value)
    assert "zebra" not in str(why.value)


def test_only_selects_of_known_databases_are_explained() -> None:
    with pytest.raises(NotExplained, match="only SELECT"):
        explain(Example("default", "sqlite", "UPDATE t SET a = %s", (1,)))
    with pytest.raises(NotExplained, match="no plans of oracle"):
        explain(Example("default", "oracle", "SELECT 1", ()))


def test_a_database_message_keeps_no_quoted_value_or_number() -> None:
    error = DatabaseError('invalid input syntax for type integer: "zebra" at 42\nLINE 1')
    assert redacted(error) == "DatabaseError: invalid input syntax for type integer: # at #"


@pytest.mark.parametrize("alias", ALIASES)
@pytest.mark.django_db(databases=ALIASES)
def test_analyze_counts_the_rows_read_where_the_database_can(alias) -> None:
    from perfkit.demo.models import Author
    from tests.routers import use_database

    with use_database(alias):
        Author.objects.bulk_create(Author(name=f"a{i}", slug=f"a{i}") for i in range(7))
    vendor = connections[alias].vendor
    sql = "SELECT COUNT(*) FROM demo_author WHERE name = %s"
    raw = explain(Example(alias, vendor, sql, ("a3",)), analyze=True)
    (access,) = read(raw).accesses
    if vendor == "sqlite":  # SQLite has no EXPLAIN ANALYZE: its plan is the estimate
        assert (raw.analyzed, access.rows) == (False, None)
    else:
        assert (raw.analyzed, access.rows) == (True, 7.0)
