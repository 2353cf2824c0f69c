"""decode(), as_recording() and stored_recording(): every way a stored record can be wrong
gets named."""

from __future__ import annotations

import json
from typing import Any

import pytest

from perfkit.errors import CorruptRecordError
from perfkit.store.records import as_recording, decode, keyed_recordings, stored_recording
from tests.store import make_record, make_recording

STORE = "postgresql://u:s3cret@h/db"


def test_decode_reads_text_bytes_and_parsed_values() -> None:
    record = make_record(1)
    assert decode(STORE, "id 'r000001'", record) == record  # jsonb arrives parsed
    assert decode(STORE, "line 1", b'{"id": "x"}\n') == {"id": "x"}
    assert decode(STORE, "line 1", '{"id": "x"}') == {"id": "x"}


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("{not json", "not JSON (Expecting property name enclosed in double quotes: char 1)"),
        (b'{"id": "\xff"}', "not UTF-8 text"),
        ("[1, 2]", "a JSON list, not an object"),
        ('"text"', "a JSON str, not an object"),
        ('{"view": "v"}', "a JSON object without an id"),
    ],
)
def test_decode_names_what_is_wrong(raw: Any, problem: str) -> None:
    with pytest.raises(CorruptRecordError) as info:
        decode(STORE, "id 'x'", raw)
    assert str(info.value) == f"corrupt record in postgresql://u:***@h/db, id 'x': {problem}"


def test_as_recording_round_trips_a_recording() -> None:
    record = make_record(3)
    assert as_recording(STORE, record).to_dict() == record


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"bogus": 1}, "TypeError: Recording.__init__() got an unexpected keyword argument"),
        ({"queries": 5}, "TypeError: 'int' object is not iterable"),
        ({"queries": [["default", "fp"]]}, "ValueError: not enough values to unpack"),
        ({"statements": []}, "AttributeError: 'list' object has no attribute 'get'"),
        ({"started_at": "yesterday"}, "started_at is str, not float"),
        ({"status": None}, "status is NoneType, not int"),
        ({"url_name": 7}, "url_name is int, not str | None"),
        ({"labels": ["a"]}, "labels is list, not an object"),
    ],
)
def test_as_recording_names_a_record_that_is_no_recording(
    change: dict[str, Any], problem: str
) -> None:
    record = {**make_record(3), **change}
    with pytest.raises(CorruptRecordError) as info:
        as_recording(STORE, record)
    assert info.value.where == "id 'r000003'"
    assert info.value.problem.startswith(f"not a perfkit recording ({problem}")


def test_a_missing_required_field_is_named() -> None:
    record = make_record(3)
    del record["method"]
    with pytest.raises(CorruptRecordError, match="missing 1 required positional argument"):
        as_recording(STORE, record)


def test_a_corrupt_record_names_its_store_without_the_password() -> None:
    with pytest.raises(CorruptRecordError) as caught:
        decode("postgresql://perfkit:s3cret@db.internal/perf", "id 'x'", "{not json")
    assert caught.value.store == "postgresql://perfkit:***@db.internal/perf"
    assert "s3cret" not in str(caught.value)


def test_stored_recording_decodes_then_checks() -> None:
    recording = make_recording(4)
    text = json.dumps(recording.to_dict())
    assert stored_recording(STORE, "line 9", text) == recording
    assert keyed_recordings(STORE, [("r000004", text)]) == [recording]
    with pytest.raises(CorruptRecordError) as torn:
        stored_recording(STORE, "line 9", text[:-1])
    assert (torn.value.where, torn.value.problem[:8]) == ("line 9", "not JSON")
    with pytest.raises(CorruptRecordError) as foreign:
        keyed_recordings(STORE, [("x", '{"id": "x"}')])
    assert (foreign.value.where, foreign.value.problem[:24]) == (
        "id 'x'",
        "not a perfkit recording ",
    )
