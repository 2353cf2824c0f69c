"""The query recorder on each real database the machine runs: SQLite, PostgreSQL, MariaDB."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connections, transaction

from perfkit.capture.db import QueryRecorder, attach
from perfkit.demo.data import populate
from perfkit.demo.models import Tag
from perfkit.recording import Recording, current_recording
from tests.routers import use_database

ALIASES = ["default", "postgresql", "mysql"]


@pytest.mark.parametrize("alias", ALIASES)
@pytest.mark.django_db(databases=ALIASES)
def test_slow_list_on_each_database(client, recordings, alias: str) -> None:
    with use_database(alias):
        populate(10)
        client.get("/stories/slow/")
        client.get("/stories/")
    slow, fixed = recordings
    assert len(slow.queries) == 21
    assert sorted(Counter(q.fingerprint for q in slow.queries).values()) == [1, 10, 10]
    assert {q.alias for q in slow.queries} == {alias}
    assert len(fixed.queries) == 2
    story_rows = slow.queries[0].rows
    if alias == "default":
        assert story_rows is None  # sqlite3 does not report the rows a SELECT returned
    else:
        assert story_rows == 10
        assert [q.rows for q in fixed.queries] == [10, 20]


@pytest.mark.parametrize("alias", ALIASES)
@pytest.mark.django_db(databases=ALIASES, transaction=True)
def test_savepoint_names_collapse_to_one_fingerprint(alias: str) -> None:
    recording = Recording("r", 0.0, "GET")
    token = current_recording.set(recording)
    try:
        for _ in range(2):
            with transaction.atomic(using=alias), transaction.atomic(using=alias):
                Tag.objects.using(alias).count()
    finally:
        current_recording.reset(token)
    savepoints = [q for q in recording.queries if "SAVEPOINT" in q.sql]
    assert [q.sql for q in savepoints] == ["SAVEPOINT #", "RELEASE SAVEPOINT #"] * 2
    assert len({q.fingerprint for q in savepoints}) == 2


@pytest.mark.django_db
def test_recorder_is_installed_once_per_connection() -> None:
    connection = connections["default"]
    attach(connection)
    attach(connection)
    assert sum(isinstance(w, QueryRecorder) for w in connection.execute_wrappers) == 1


@pytest.mark.django_db(databases=ALIASES)
def test_every_connection_has_the_recorder() -> None:
    for alias in ALIASES:
        connections[alias].ensure_connection()
        assert any(isinstance(w, QueryRecorder) for w in connections[alias].execute_wrappers)


def _recorded_sql(alias: str, sql: str) -> tuple[list[tuple], str]:
    """Run ``sql`` on ``alias`` inside a Recording: its rows, and the SQL the Recording stores."""
    recording = Recording("r", 0.0, "GET")
    token = current_recording.set(recording)
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(sql)
            rows = list(cursor.fetchall())
    finally:
        current_recording.reset(token)
    return rows, recording.queries[0].sql


@pytest.mark.django_db(databases=ALIASES)
def test_mariadb_reads_double_quotes_as_a_value_and_the_recorder_drops_it() -> None:
    rows, sql = _recorded_sql("mysql", 'SELECT "alice@example.com", "it\\"s", \'o\\\'k\'')
    assert rows == [("alice@example.com", 'it"s', "o'k")]
    assert sql == "SELECT #, #, #"


@pytest.mark.parametrize("alias", ["default", "postgresql"])
@pytest.mark.django_db(databases=ALIASES)
def test_double_quotes_stay_identifiers_on_sqlite_and_postgresql(alias: str) -> None:
    rows, sql = _recorded_sql(alias, 'SELECT "name" FROM "demo_tag" WHERE "name" = \'alice\'')
    assert rows == []
    assert sql == 'SELECT "name" FROM "demo_tag" WHERE "name" = #'
