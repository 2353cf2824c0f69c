"""Reading stored records back: the one way every store turns what it holds into a Recording.

Whatever a store holds is untrusted on the way back (a hand-edited file, a torn line, a
foreign row): each step here either returns what it promises or raises
``CorruptRecordError`` naming the store, the record and what is wrong with it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import fields
from typing import Any

from perfkit.errors import CorruptRecordError
from perfkit.recording import Recording
from perfkit.store.redaction import redact_url

#: The Python types a JSON value of a scalar annotation takes (an int is a valid float).
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "None": (type(None),),
}


def stored_recording(store_url: str, where: str, raw: Any) -> Recording:
    """The Recording a stored record holds: :func:`decode`, then :func:`as_recording`."""
    return as_recording(store_url, decode(store_url, where, raw))


def keyed_recordings(store_url: str, rows: Iterable[tuple[str, Any]]) -> list[Recording]:
    """The Recordings of ``(id, payload)`` rows, in their order, each named by its id."""
    return [stored_recording(store_url, f"id {i!r}", payload) for i, payload in rows]


def decode(store_url: str, where: str, raw: Any) -> dict[str, Any]:
    """The record ``raw`` holds: stored JSON text, or what a driver already parsed (jsonb).

    ``where`` names the record in the store (``id '9c41…'``, ``line 12``). A record must be
    a JSON object with an ``id``: every store's rows are keyed by it.
    """
    if isinstance(raw, (str, bytes, bytearray)):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as error:
            problem = f"not JSON ({error.msg}: char {error.pos})"
            raise _corrupt(store_url, where, problem) from None
        except UnicodeDecodeError:
            raise _corrupt(store_url, where, "not UTF-8 text") from None
    if not isinstance(raw, dict):
        problem = f"a JSON {type(raw).__name__}, not an object"
        raise _corrupt(store_url, where, problem)
    if "id" not in raw:
        raise _corrupt(store_url, where, "a JSON object without an id")
    return raw


def started_at(raw: Any) -> float | None:
    """When a stored record's request started, or None if the record cannot say (it is not
    a JSON object, or its ``started_at`` is not a number): what retention judges a record by."""
    if isinstance(raw, (str, bytes, bytearray)):
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested past reading
            return None
    value = raw.get("started_at") if isinstance(raw, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _corrupt(store_url: str, where: str, problem: str) -> CorruptRecordError:
    return CorruptRecordError(redact_url(store_url), where, problem)


def as_recording(store_url: str, record: dict[str, Any]) -> Recording:
    """``Recording.from_dict(record)`` for a decoded record, checked down to its field types.

    ``from_dict`` rejects missing and unknown keys and malformed queries; it takes any
    value for a scalar field, so those are checked here, before the analysis trips on one.
    """
    where = f"id {record['id']!r}"
    try:
        recording = Recording.from_dict(record)
    except (TypeError, KeyError, ValueError, AttributeError) as error:
        problem = f"not a perfkit recording ({type(error).__name__}: {error})"
        raise _corrupt(store_url, where, problem) from None
    wrong = _wrong_field(recording)
    if wrong:
        raise _corrupt(store_url, where, f"not a perfkit recording ({wrong})")
    return recording


def _accepted(annotation: str) -> tuple[type, ...] | None:
    """The types a field annotated ``str | None`` (say) takes; None if it is not a scalar."""
    names = [name.strip() for name in annotation.split("|")]
    if not all(name in _JSON_TYPES for name in names):
        return None
    return tuple(kind for name in names for kind in _JSON_TYPES[name])


#: Recording's scalar fields: name -> (annotation, accepted types). Derived, so it follows
#: the model; labels is the one container ``from_dict`` passes through unchecked.
_SCALARS = {
    f.name: (str(f.type), accepted)
    for f in fields(Recording)
    if (accepted := _accepted(str(f.type))) is not None
}


def _wrong_field(recording: Recording) -> str | None:
    """What is wrong with the first field that holds the wrong type of value, if any."""
    for name, (annotation, accepted) in _SCALARS.items():
        value = getattr(recording, name)
        if not isinstance(value, accepted):
            return f"{name} is {type(value).__name__}, not {annotation}"
    if not isinstance(recording.labels, dict):
        return f"labels is {type(recording.labels).__name__}, not an object"
    return None
