"""Query-level cache candidates."""

from __future__ import annotations

from perfkit.analysis.repeated import repeated_queries
from tests.analysis.factories import query, recording

SQL = 'SELECT "conf"."value" FROM "conf" WHERE "conf"."key" = %s'


def test_same_query_parameters_and_rows_across_requests() -> None:
    found = repeated_queries([recording("v", query(SQL, rows=1, params="k1")) for _ in range(3)])
    assert [(q.view, q.requests, q.executions) for q in found] == [("v", 3, 3)]


def test_other_parameters_or_rows_or_one_request_are_not_repeats() -> None:
    assert repeated_queries([recording("v", query(SQL, params=p)) for p in ("a", "b")]) == []
    assert repeated_queries([recording("v", query(SQL, rows=r)) for r in (1, 2)]) == []
    assert repeated_queries([recording("v", query(SQL), query(SQL))]) == []


def test_n_plus_one_members_are_left_to_their_group() -> None:
    recordings = [recording("v", query(SQL)) for _ in range(2)]
    assert repeated_queries(recordings, skip={("v", recordings[0].queries[0].fingerprint)}) == []


def test_every_repeated_query_is_returned_most_db_time_first() -> None:
    recordings = [
        recording(f"v{i}", query(SQL, rows=1, params="k", ms=float(i)))
        for _request in range(2)
        for i in range(30)
    ]
    found = repeated_queries(recordings)
    assert len(found) == 30
    assert [q.view for q in found[:3]] == ["v29", "v28", "v27"]
