"""A failed Locust run says its own error, never one an earlier run left in the directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfkit.cli import main


def test_a_broken_scenario_reports_its_own_error_not_a_stale_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "load"
    output.mkdir()
    (output / "locust.log").write_text("SyntaxError: from another scenario, an hour ago\n")
    (output / "locust.out").write_text("SyntaxError: from another scenario, an hour ago\n")
    # Locust's complaint about a file without a User class has no "Error" in it: the
    # stale line was what a user was shown, for a different file.
    scenario = tmp_path / "no_users.py"
    scenario.write_text("PAGES = ['/']\n")
    argv = ["load", str(scenario), "--host", "http://127.0.0.1:9", "--duration", "2s"]
    assert main([*argv, "--output", str(output)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("perfkit: error: Locust failed")
    assert "an hour ago" not in err
