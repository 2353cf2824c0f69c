"""Examples for EXPLAIN: the first parameters of each SELECT a recorded request ran, in memory."""

from __future__ import annotations

import pytest
from django.db import connection

from perfkit.capture.statement_examples import Examples, is_select, keeping
from perfkit.demo.models import Author
from perfkit.fingerprint import fingerprint
from perfkit.testing import record


@pytest.mark.django_db
def test_the_first_select_of_each_shape_is_kept_only_while_recording() -> None:
    outside = Examples()
    with keeping(outside):
        Author.objects.filter(name="outside").count()  # no request recorded: not kept
    assert outside.by_sql == {}
    with record() as recorded:
        Author.objects.filter(name="first").count()
        Author.objects.filter(name="second").count()
        Author.objects.create(name="n", slug="n")
    examples = recorded.examples
    (example,) = examples.by_fingerprint().values()
    assert example.params == ("first",)
    assert example.alias == "default" and example.vendor == "sqlite"
    assert fingerprint(example.sql, "sqlite")[0] in examples.by_fingerprint()
    assert not any(type(w).__name__ == "ExampleKeeper" for w in connection.execute_wrappers), (
        "the wrapper outlived its block"
    )


def test_a_block_keeps_at_most_its_limit() -> None:
    from perfkit.capture.statement_examples import Example

    examples = Examples(limit=2)
    for i in range(5):
        examples.keep(Example("default", "sqlite", f"SELECT {i}", ()))
    assert len(examples.by_sql) == 2


def test_only_reads_are_selects() -> None:
    assert is_select("  (SELECT 1)") and is_select("WITH x AS (SELECT 1) SELECT * FROM x")
    assert not is_select("UPDATE t SET a = 1") and not is_select("")
