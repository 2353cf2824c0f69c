"""The ``perfkit`` entry point: help, version and one-line errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from perfkit import __version__


def perfkit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "perfkit", *args], capture_output=True, text=True, timeout=120
    )


def test_version() -> None:
    result = perfkit("--version")
    assert (result.returncode, result.stdout.strip()) == (0, f"perfkit {__version__}")


def test_help_lists_the_commands() -> None:
    result = perfkit("--help")
    assert result.returncode == 0
    assert "bench" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["frobnicate"], "perfkit: error: argument COMMAND: invalid choice: 'frobnicate'"),
        (
            ["bench", "--sizes", "ten"],
            "perfkit: error: --sizes 'ten' is not a list of whole numbers",
        ),
        (
            ["bench", "--sizes", "10"],
            "perfkit: error: --sizes '10' needs two or more sizes above 0",
        ),
        (["bench", "--repeat", "0"], "perfkit: error: --repeat 0 must be 1 or more"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = perfkit(*args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.stderr
