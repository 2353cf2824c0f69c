"""The payload encoding: orjson when installed, ``json`` otherwise, the same values either way."""

from __future__ import annotations

import gc
import importlib
import json
import math

import pytest

from perfkit.recording import HttpEvent, Recording
from perfkit.store import rows
from tests.store import make_recording


def _stdlib_only(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def without_orjson(name: str, *args: object) -> object:
        if name == "orjson":
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", without_orjson)


def test_without_orjson_the_payload_is_json_compact_output(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _stdlib_only(monkeypatch)
    assert rows._accelerated() is None
    record = make_recording(3).to_dict()
    assert rows._ENCODER.encode(record) == json.dumps(record, separators=(",", ":"))


def test_orjson_when_installed_reads_back_the_same_record() -> None:
    encode = rows._accelerated()
    assert encode is not None, "orjson is optional for users; the dev extra the tests use has it"
    recording = make_recording(7)
    recording.labels = {"scenario": "naïve ✓"}
    text = encode(recording.to_dict())
    assert isinstance(text, str)
    assert json.loads(text) == json.loads(rows._ENCODER.encode(recording.to_dict()))
    assert Recording.from_dict(json.loads(text)) == recording
    assert rows.encode.__qualname__ == encode.__qualname__  # the writer uses it


def test_what_orjson_refuses_is_still_encoded() -> None:
    encode = rows._accelerated()
    assert encode is not None, "orjson is optional for users; the dev extra the tests use has it"
    record = {"big": 2**70, "nan": math.nan, "other": object}
    assert json.loads(encode(record))["big"] == 2**70
    assert math.isnan(json.loads(encode(record))["nan"])
    assert json.loads(encode(record))["other"] == str(object)


def test_a_pending_row_encodes_as_the_recording_does_and_leaves_the_collectors_view() -> None:
    recording = make_recording(5)
    recording.http_calls = [HttpEvent("GET", "api.example", "/v#/users/#", 200, 1.5, "a.py:3")]
    pending = rows.pending_row(recording)
    assert rows.as_row(pending) == rows.as_row(recording)
    assert Recording.from_dict(json.loads(rows.as_row(pending)[6])) == recording
    # What waits for the writer holds no list, dict or object the collector must trace: a
    # collection untracks a tuple whose items are untracked, so after one per level (four) the
    # queued row is out of its view, where the Recording it came from never is.
    for _ in range(4):
        gc.collect()
    assert not gc.is_tracked(pending)
    assert gc.is_tracked(recording)
    recording.queries[0].duration_ms = 99.0  # the request's objects may change afterwards
    assert json.loads(rows.as_row(pending)[6])["queries"][0][2] == 125
