"""``perfkit init scenarios``: the shipped scenarios copied into a project, never over its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfkit.cli import main


def test_copies_into_scenarios_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init", "scenarios"]) == 0
    assert (tmp_path / "scenarios" / "bench" / "template.py").is_file()
    assert (tmp_path / "scenarios" / "load" / "browse.py").is_file()
    assert "scenarios/load/: api.py, browse.py" in capsys.readouterr().out


def test_a_second_copy_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "scenarios", str(tmp_path)]) == 0
    (tmp_path / "load" / "browse.py").write_text("# edited\n")
    capsys.readouterr()
    assert main(["init", "scenarios", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "exists (7 of the 7 files do)" in err
    assert (tmp_path / "load" / "browse.py").read_text() == "# edited\n"


def test_a_file_in_place_of_the_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "scenarios").write_text("")
    assert main(["init", "scenarios", str(tmp_path / "scenarios")]) == 2
    assert "is a file, not a directory" in capsys.readouterr().err
