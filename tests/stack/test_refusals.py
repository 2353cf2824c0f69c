"""`stack up` refuses cleanly: a missing binary, a port taken, a tier that dies at start —
one line, exit status 2, and nothing left running."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from perfkit.cli import main
from perfkit.stack.state import STATE_FILE
from tests.stack.helpers import leftovers, started_pids


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


def test_a_missing_binary_names_the_debian_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert main(["stack", "up", "--run-dir", str(tmp_path / "run")]) == 2
    err = _one_line_error(capsys)
    assert "apt-get install -y nginx" in err or "apt-get install -y pgbouncer" in err
    assert started_pids(tmp_path / "run") == {}


def test_a_taken_port_is_refused_before_anything_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        code = main(["stack", "up", "--run-dir", str(tmp_path), "--port", str(port)])
    assert code == 2
    assert f"port {port} is already taken" in _one_line_error(capsys)
    assert started_pids(tmp_path) == {}


def test_a_tier_dying_at_start_stops_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PERFKIT_MEMCACHED", "/bin/false")
    assert main(["stack", "up", "--run-dir", str(tmp_path), "--app-servers", "1"]) == 2
    assert "memcached exited at start" in _one_line_error(capsys)
    started = started_pids(tmp_path)
    assert set(started) == {"postgresql", "pgbouncer", "memcached"}
    assert leftovers(tmp_path) == []
    assert not (tmp_path / STATE_FILE).exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["stack", "status"], "no stack is up"),
        (["stack", "up", "--app", "mysite"], "must be module:callable"),
        (["load", "nope.py"], "is neither a file nor a shipped load scenario (api, browse"),
        (["load", "browse", "--duration", "soon"], "--duration 'soon'"),
        (["load", "browse", "--host", "ftp://x"], "is not an http"),
        (["load", "scenarios/load/browse.py"], "no stack is up"),
        (["load", "browse"], "no stack is up"),
        (["load", "browse", "--matrix", "db=a,b"], "must be KEY=V1,V2"),
        (["load", "browse", "--matrix", "cache=varnish"], "choose from"),
        (["load", "browse", "--master-bind", "5557"], "is not HOST:PORT"),
    ],
)
def test_bad_input_is_one_line(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = Path(__file__).resolve().parents[2]
    argv = [str(root / a) if a.startswith("scenarios/") else a for a in argv]
    assert main([*argv, "--run-dir", str(tmp_path)]) == 2
    assert message in _one_line_error(capsys)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["logs", "-n", "-3"], "argument -n/--lines: -3 is out of range: give 1 or more"),
        (["logs", "-n", "many"], "argument -n/--lines: 'many' is not a whole number"),
        (["up", "--port", "70000"], "argument --port: 70000 is out of range: give from 0 to 65535"),
        (["up", "--app-servers", "0"], "argument --app-servers: 0 is out of range: give from 1"),
        (["up", "--size", "10000000"], "argument --size: 10000000 is out of range"),
    ],
)
def test_numbers_out_of_range_are_one_line_and_start_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["stack", *argv, "--run-dir", str(tmp_path / "run")])
    assert exit_info.value.code == 2
    assert message in _one_line_error(capsys)
    assert not (tmp_path / "run").exists()
