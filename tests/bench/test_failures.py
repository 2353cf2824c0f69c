"""How bench names a failure: the exception in one line, and the innermost project line."""

from __future__ import annotations

from pathlib import Path

from perfkit.bench.failures import explain, project_line

HERE = Path(__file__).resolve().parent


def _raise_in_the_project() -> None:
    {}["TIMEOUT"]


def test_the_innermost_frame_under_the_root_is_the_line() -> None:
    try:
        _raise_in_the_project()
    except KeyError as error:
        line = _raise_in_the_project.__code__.co_firstlineno + 1
        assert project_line(error.__traceback__, HERE) == f"tests/bench/test_failures.py:{line}"
        assert explain(error, HERE) == f"KeyError: 'TIMEOUT' at tests/bench/test_failures.py:{line}"


def test_an_error_outside_the_project_has_no_line() -> None:
    try:
        _raise_in_the_project()
    except KeyError as error:
        assert project_line(error.__traceback__, HERE / "elsewhere") is None
        assert explain(error, HERE / "elsewhere") == "KeyError: 'TIMEOUT'"
