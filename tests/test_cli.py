"""The ``perfkit`` entry point: help, version, one-line errors, and a base install."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from perfkit import __version__
from perfkit.cli import build_parser


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
        (
            ["bench", "--repeat", "0"],
            "perfkit: error: argument --repeat: 0 is out of range: give from 1 to 1000",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = perfkit(*args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.stderr


#: Runs the CLI as a base install (no ``cli`` extra) would: the module in argv[1] cannot be
#: imported, either refused by an import hook or absent from where Python looks for it.
WITHOUT_MODULE = """
import sys
name, how, *argv = sys.argv[1:]

class Refuse:
    def find_spec(self, fullname, path=None, target=None):
        if fullname.partition(".")[0] == name:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None

if how == "hook":
    sys.meta_path.insert(0, Refuse())
else:
    sys.modules[name] = None  # what find_spec and import see for a module that is not there
from perfkit.cli import main
sys.exit(main(argv))
"""


def without(module: str, how: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_MODULE, module, how, *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _commands() -> list[str]:
    actions = build_parser()._actions
    return sorted(next(a for a in actions if isinstance(a, argparse._SubParsersAction)).choices)


@pytest.mark.parametrize("args", [[], ["--help"], *([c] for c in _commands())], ids=str)
def test_without_the_cli_extra_every_command_names_the_extra(args: list[str]) -> None:
    result = without("rich", "hook", *args)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "perfkit: error: the command line needs the cli extra (no module 'rich'): "
        'pip install "perfkit[cli]"\n'
    )


@pytest.mark.parametrize("module", ["jinja2", "scipy"])
def test_any_missing_module_of_the_extra_is_named(module: str) -> None:
    result = without(module, "absent", "report")
    assert result.returncode == 2
    assert f"(no module {module!r}): pip install" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("module", "args", "what"),
    [
        ("psycopg", ["stack", "up"], "perfkit stack up"),
        ("gunicorn", ["stack", "up"], "perfkit stack up"),
        ("locust", ["load", "browse", "--host", "http://127.0.0.1:9"], "perfkit load"),
    ],
)
def test_without_the_stack_extra_the_stack_commands_name_it(
    module: str, args: list[str], what: str, tmp_path: Path
) -> None:
    result = without(module, "absent", *args, "--run-dir", str(tmp_path / "run"))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"perfkit: error: {what} needs the stack extra (no module {module!r}): "
        'pip install "perfkit[stack]"\n'
    )
    assert not (tmp_path / "run").exists()
