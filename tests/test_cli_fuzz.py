"""A fuzz test of the ``perfkit`` command line: bad input is one line, exit 2, and loses nothing.

Every command's options are found in its parser, so an option added later is fuzzed too:
numeric options get text that is not a number and numbers out of range, output paths get
places that cannot be written, input files get corrupt content, and stores and addresses
get services that are not there. Each case runs ``perfkit.cli.main`` in this process, in a
directory holding a previous run's files, and asserts one line on stderr, exit status 2 and
every one of those files byte-for-byte unchanged (and no new file left behind).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from perfkit.cli import build_parser, main
from perfkit.errors import GateConfigError
from perfkit.gate import config
from tests.analysis.factories import query, recording
from tests.gate.factories import baseline

#: Options whose value is a file perfkit writes.
OUTPUT_FILES = {"json", "html", "markdown", "save_baseline", "junit", "gitlab_metrics"}
#: Options whose value is a directory perfkit writes in.
OUTPUT_DIRS = {"output", "run_dir"}


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def previous_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project directory after one good run of every command: the files no error may touch."""
    root = tmp_path_factory.mktemp("project")
    report = root / "perfkit-report"
    (report / "load").mkdir(parents=True)
    (report / "bench.json").write_text('{"views": []}\n')
    (report / "recordings.jsonl").write_text(
        json.dumps(recording("demo:list", query('SELECT "a"."id" FROM "a"')).to_dict()) + "\n"
    )
    (report / "load" / "load.json").write_text("[]\n")
    (root / "baseline.json").write_text(baseline().dumps())
    (root / "scenario.py").write_text(
        "from locust import HttpUser, task\n\n\nclass Reader(HttpUser):\n"
        "    @task\n    def home(self):\n        self.client.get('/')\n"
    )
    (root / "readonly.json").write_text("{}")
    (root / "stack").mkdir()
    (root / "stack" / "state.json").write_text("{not json")
    (root / "plain-file").write_text("a file, not a directory")
    return root


def snapshot(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@contextlib.contextmanager
def inside(directory: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(before)


def perfkit(argv: list[str], cwd: Path) -> tuple[int, str]:
    """Exit status and stderr of ``perfkit argv`` run in ``cwd``, in this process."""
    err = io.StringIO()
    with inside(cwd), contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = main(argv)
        except SystemExit as exit_:  # argparse's own errors
            status = exit_.code if isinstance(exit_.code, int) else 2
    return status, err.getvalue()


def assert_one_line_exit_2(argv: list[str], root: Path) -> None:
    before = snapshot(root)
    status, stderr = perfkit(argv, root)
    assert status == 2, (argv, status, stderr)
    assert stderr.count("\n") == 1 and stderr.startswith("perfkit: error: "), (argv, stderr)
    assert "Traceback" not in stderr
    assert snapshot(root) == before, argv


def commands() -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """Every runnable (sub)command's words and parser, found by walking the CLI's parsers."""
    found: dict[tuple[str, ...], argparse.ArgumentParser] = {}

    def walk(words: tuple[str, ...], parser: argparse.ArgumentParser) -> None:
        subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subparsers:
            found[words] = parser
        for action in subparsers:
            for name, child in action.choices.items():
                walk((*words, name), child)

    walk((), build_parser())
    return found


COMMANDS = commands()


def valid(words: tuple[str, ...], root: Path, option: str = "") -> list[str]:
    """Arguments with which the command would start real work: the fuzzed option must stop it.

    ``perfkit load`` reads the stack from ``--run-dir`` only when no ``--host`` is given.
    """
    if words == ("load",) and option == "--run-dir":
        return ["load", "scenario.py"]
    base = {
        ("report",): ["--store", f"jsonl:///{root}/perfkit-report/recordings.jsonl"],
        ("gate",): ["--baseline", "baseline.json", "--current", "baseline.json"],
        ("baseline", "diff"): ["baseline.json", "baseline.json"],
        ("latency",): [f"http://127.0.0.1:{closed_port()}/"],
        ("load",): ["scenario.py", "--host", f"http://127.0.0.1:{closed_port()}"],
    }
    return [*words, *base.get(words, [])]


def options(kind: str) -> list[tuple[tuple[str, ...], str]]:
    """(command, option string) for every option of ``kind`` on every command."""
    found = []
    for words, parser in COMMANDS.items():
        for action in parser._actions:
            if not action.option_strings or action.nargs == 0:
                continue
            numeric = action.type in (int, float) or getattr(
                action.type, "__qualname__", ""
            ).startswith("whole.")
            if (
                (kind == "numeric" and numeric)
                or (kind == "file" and action.dest in OUTPUT_FILES)
                or (kind == "dir" and action.dest in OUTPUT_DIRS)
            ):
                found.append((words, action.option_strings[-1]))
    return found


NUMERIC = options("numeric")
FILES = options("file")
DIRS = options("dir")
FUZZ = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_the_walk_finds_every_kind_of_option() -> None:
    assert {w for w, _ in NUMERIC} >= {("bench",), ("gate",), ("latency",), ("load",)}
    assert {w for w, _ in FILES} >= {("bench",), ("report",), ("gate",), ("latency",)}
    assert {w for w, _ in DIRS} >= {("bench",), ("load",), ("stack", "up")}


not_a_number = st.text(min_size=0, max_size=12).filter(
    lambda t: not t.strip().lstrip("+-").replace(".", "", 1).isdigit()
)


@pytest.mark.parametrize(("words", "option"), NUMERIC)
@FUZZ
@given(value=not_a_number)
def test_a_number_option_given_text(
    previous_run: Path, words: tuple, option: str, value: str
) -> None:
    assert_one_line_exit_2([*valid(words, previous_run), f"{option}={value}"], previous_run)


#: Options where any large number is sensible (how many log lines to show).
UNBOUNDED = {"--lines"}


@pytest.mark.parametrize(("words", "option"), NUMERIC)
@FUZZ
@given(value=st.integers(max_value=-1) | st.integers(10**7) | st.sampled_from(["nan", "inf"]))
def test_a_number_option_out_of_range(
    previous_run: Path, words: tuple, option: str, value: int | str
) -> None:
    if option in UNBOUNDED and (isinstance(value, str) or value > 0):
        return
    assert_one_line_exit_2([*valid(words, previous_run), f"{option}={value}"], previous_run)


def unwritable_files(root: Path, makes_directories: bool) -> list[str]:
    missing = [] if makes_directories else [str(root / "no-such-dir" / "out.json")]
    return [
        *missing,
        str(root),  # a directory
        str(root / "plain-file" / "out.json"),  # under a file
        str(root / "plain-file" / "sub" / "out.json"),
        "/proc/perfkit-out.json",  # a place no one may create files
    ]


#: Commands whose work is quick enough to reach the write: there, ``/dev/full`` (it opens,
#: then every write fails) shows a late write failure is one line too.
WRITES_QUICKLY = {("report",), ("gate",)}


@pytest.mark.parametrize(("words", "option"), FILES)
def test_an_output_file_that_cannot_be_written(
    previous_run: Path, words: tuple, option: str
) -> None:
    late = ["/dev/full"] if words in WRITES_QUICKLY else []
    makes_directories = option == "--save-baseline"  # a baseline's directories are made
    for path in [*unwritable_files(previous_run, makes_directories), *late]:
        assert_one_line_exit_2([*valid(words, previous_run), option, path], previous_run)


@pytest.mark.parametrize(("words", "option"), DIRS)
def test_an_output_directory_that_cannot_be_written(
    previous_run: Path, words: tuple, option: str
) -> None:
    for path in ("plain-file", "plain-file/sub", "/proc/perfkit-out"):
        assert_one_line_exit_2([*valid(words, previous_run, option), option, path], previous_run)


def accepted_as_config(path: Path) -> bool:
    try:
        config.load(path)
    except GateConfigError:
        return False
    return True


corrupt = st.binary(max_size=200) | st.sampled_from(
    [b"{", b"[]", b'{"format": "perfkit-baseline/1"}', b'{"views": 3}', b"\xff\xfe", b"[gate]\n="]
)


@FUZZ
@given(
    content=corrupt,
    where=st.sampled_from(["gate-base", "gate-current", "gate-config", "diff", "store"]),
)
def test_a_corrupt_input_file(previous_run: Path, content: bytes, where: str) -> None:
    bad = previous_run / "perfkit-report" / "corrupt.input"
    bad.write_bytes(content)
    if where == "gate-config":  # empty or comment-only TOML is a valid, empty config
        assume(not accepted_as_config(bad))
    try:
        argv = {
            "gate-base": ["gate", "--baseline", str(bad), "--current", "baseline.json"],
            "gate-current": ["gate", "--baseline", "baseline.json", "--current", str(bad)],
            "gate-config": [*valid(("gate",), previous_run), "--config", str(bad)],
            "diff": ["baseline", "diff", "baseline.json", str(bad)],
            "store": ["report", "--store", f"jsonl:///{bad}"],
        }[where]
        assert_one_line_exit_2(argv, previous_run)
    finally:
        bad.unlink()


def test_missing_inputs_and_services_that_are_not_there(previous_run: Path) -> None:
    port = closed_port()
    for argv in (
        ["gate", "--baseline", "missing.json", "--current", "baseline.json"],
        ["gate", "--baseline", "baseline.json", "--current", "baseline.json", "--config", "x"],
        ["baseline", "diff", "missing.json", "baseline.json"],
        ["report", "--store", "jsonl:///nowhere/at/all.jsonl"],
        ["report", "--store", f"redis://127.0.0.1:{port}/0"],
        ["report", "--store", f"postgresql://postgres@127.0.0.1:{port}/test"],
        ["report", "--store", "ftp://example.invalid/x"],
        ["store", "prune", "--store", "jsonl:///nowhere/at/all.jsonl", "--older-than", "30d"],
        ["store", "prune", "--store", "sqlite:///missing.sqlite3", "--older-than", "30d"],
        ["store", "prune", "--store", f"redis://127.0.0.1:{port}/0", "--older-than", "30d"],
        [
            "store",
            "prune",
            "--store",
            f"postgresql://postgres@127.0.0.1:{port}/test",
            "--older-than",
            "30d",
        ],
        ["store", "prune", "--store", "jsonl://perfkit-report/recordings.jsonl"],
        [
            "store",
            "prune",
            "--store",
            "jsonl://perfkit-report/recordings.jsonl",
            "--older-than",
            "last week",
        ],
        ["load", "missing.py"],
        ["load", "scenario.py", "--run-dir", "nowhere"],
        ["load", "scenario.py", "--run-dir", "stack"],  # its state file is corrupt
        ["stack", "status", "--run-dir", "nowhere"],
        ["stack", "logs", "--run-dir", "stack"],
        ["stack", "down", "--run-dir", "nowhere"],
        ["latency", "not a url"],
        ["load", "scenario.py", "--duration", "25h"],
        ["load", "scenario.py", "--matrix", "workers=1,100"],
    ):
        assert_one_line_exit_2(argv, previous_run)
