"""The one output layer: atomic UTF-8 files, one JSON dialect, one escaped template environment."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfkit import output


def test_a_file_is_replaced_only_once_the_new_text_is_written(tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    path.write_text("last good run\n")

    with pytest.raises(TypeError):
        output.write_text(path, 42)  # type: ignore[arg-type]  # a write that fails half-way
    assert path.read_text() == "last good run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]  # no temporary left
    output.write_text(path, "naïve → ✓\n")
    assert path.read_bytes() == "naïve → ✓\n".encode()


def test_an_unwritable_place_raises_and_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        output.write_text(tmp_path / "missing" / "x.json", "{}")
    assert list(tmp_path.iterdir()) == []


@given(st.recursive(st.floats() | st.integers() | st.text(), lambda c: st.lists(c, max_size=3)))
def test_json_has_a_schema_and_no_nan_or_infinity(value: object) -> None:
    text = output.json_text({"value": value}, 3)
    document = json.loads(text)  # strict: NaN / Infinity would not be JSON
    assert document["schema"] == 3 and text.endswith("}\n")

    def walk(item: object) -> None:
        assert not (isinstance(item, float) and not math.isfinite(item))
        if isinstance(item, list):
            for child in item:
                walk(child)

    walk(document["value"])


def test_the_template_environment_escapes_and_sends_the_policy() -> None:
    page = output.html(
        "latency.html", {}, report=_Report(target="<script>alert(1)</script>"), pages=[]
    )
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert f'content="{output.CSP}"' in page.replace("&#39;", "'")


def test_a_value_the_template_needs_but_is_not_given_is_an_error() -> None:
    from jinja2 import UndefinedError

    with pytest.raises(UndefinedError):
        output.html("latency.html", {}, pages=[])


class _Report:
    def __init__(self, target: str) -> None:
        self.target = target
        self.runs = 1
        self.browser = "chromium"
        self.browser_version = "1"


def test_a_device_is_written_in_place_never_replaced() -> None:
    with pytest.raises(OSError):
        output.write_text(Path("/dev/full"), "{}")  # no space left: the error, not a file
    assert Path("/dev/full").is_char_device()
    output.write_text(Path("/dev/null"), "{}")
    assert Path("/dev/null").is_char_device()
