"""Finding the browser: --browser, then $PERFKIT_CHROMIUM, then the usual names on PATH."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from perfkit.errors import UsageError
from perfkit.latency import chromium


def _fake(directory: Path, name: str) -> Path:
    path = directory / name
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_the_first_known_name_on_path_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake(tmp_path, "google-chrome")
    browser = _fake(tmp_path, "chromium-browser")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(chromium.ENV, raising=False)
    assert chromium.find() == str(browser)


def test_the_flag_beats_the_environment_which_beats_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake(tmp_path, "chromium")
    from_env = _fake(tmp_path, "from-env")
    from_flag = _fake(tmp_path, "from-flag")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv(chromium.ENV, str(from_env))
    assert chromium.find() == str(from_env)
    assert chromium.find(str(from_flag)) == str(from_flag)


def test_an_environment_value_that_is_not_executable_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(chromium.ENV, str(tmp_path / "nope"))
    with pytest.raises(UsageError, match=r"^\$PERFKIT_CHROMIUM '.*nope' is not an executable"):
        chromium.find()
    assert os.environ[chromium.ENV].endswith("nope")
