"""``Recorded.assert_no_full_scans()`` and ``@pytest.mark.perfkit(full_scans=False)`` on the
real SQLite, PostgreSQL and MariaDB: a filter no index serves fails with the index to add,
one an index serves passes (the marker is in test_plugin.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfkit.demo.models import Author
from perfkit.testing import record
from tests.routers import use_database

ALIASES = ["default", "postgresql", "mysql"]
SECRET = "zebra-secret-4711"
pytestmark = pytest.mark.django_db(databases=ALIASES)


def _line_of(text: str) -> int:
    lines = Path(__file__).read_text().splitlines()
    return next(
        n for n, line in enumerate(lines, start=1) if text in line and "_line_of" not in line
    )


@pytest.mark.parametrize("alias", ALIASES)
def test_a_filter_no_index_serves_fails_naming_the_line_and_the_index(alias) -> None:
    with use_database(alias):
        Author.objects.create(name="Ada", slug="ada")
        with record() as recorded:
            Author.objects.filter(name=SECRET).count()  # the line the failure names
        with pytest.raises(AssertionError) as failure:
            recorded.assert_no_full_scans()
    message = str(failure.value)
    assert """fix: add models.Index(fields=["name"]) to demo.Author's Meta.indexes""" in message
    assert f"test_full_scans.py:{_line_of('# the line the failure names')}" in message
    assert SECRET not in message


@pytest.mark.parametrize("alias", ALIASES)
def test_a_filter_an_index_serves_passes(alias) -> None:
    with use_database(alias):
        Author.objects.create(name="Ada", slug="ada")
        with record() as recorded:
            Author.objects.filter(slug=SECRET).count()
            Author.objects.filter(pk=1).first()
        recorded.assert_no_full_scans()
    assert len(recorded.examples.by_fingerprint()) == 2
