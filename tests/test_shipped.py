"""The tier templates and example scenarios the package carries, found by name or path."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfkit import shipped
from perfkit.errors import UsageError

ROOT = Path(__file__).resolve().parents[1]


def test_the_tier_templates_are_the_checkouts_middleware_folder() -> None:
    names = {p.name for p in shipped.tiers_dir().iterdir()}
    assert {"nginx.conf", "pgbouncer.ini", "gunicorn.conf.py", "memcached.conf"} <= names
    assert (shipped.tiers_dir() / "nginx.conf").read_text() == (
        ROOT / "middleware" / "nginx.conf"
    ).read_text()


def test_an_override_without_templates_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERFKIT_MIDDLEWARE_DIR", str(tmp_path))
    with pytest.raises(UsageError, match=f"PERFKIT_MIDDLEWARE_DIR={tmp_path} holds no stack"):
        shipped.tiers_dir()


def test_an_override_with_templates_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "nginx.conf").write_text("events {}\n")
    monkeypatch.setenv("PERFKIT_MIDDLEWARE_DIR", str(tmp_path))
    assert shipped.tiers_dir() == tmp_path


def test_each_kind_lists_its_own_scenarios() -> None:
    assert shipped.scenario_names("bench") == ["demo", "template"]
    assert {"browse", "api", "mixed", "ramp", "template"} == set(shipped.scenario_names("load"))


@pytest.mark.parametrize("given", ["browse", "browse.py"])
def test_a_shipped_name_finds_the_file(given: str) -> None:
    found = shipped.scenario("load", given, "scenario")
    assert found.read_text() == (ROOT / "scenarios" / "load" / "browse.py").read_text()


def test_a_file_of_the_same_name_wins_over_the_shipped_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "browse.py").write_text("# mine\n")
    assert shipped.scenario("load", "browse.py", "scenario") == Path("browse.py")


def test_a_name_of_the_other_kind_is_not_taken() -> None:
    with pytest.raises(UsageError, match=r"shipped bench scenario \(demo, template\)"):
        shipped.scenario("bench", "browse", "--scenario")


def test_a_directory_is_not_a_scenario(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is not a file"):
        shipped.scenario("load", str(tmp_path), "scenario")


def test_copying_makes_both_folders(tmp_path: Path) -> None:
    copies = shipped.copy_scenarios(tmp_path / "scenarios")
    assert {p.relative_to(tmp_path).as_posix() for p in copies} >= {
        "scenarios/bench/demo.py",
        "scenarios/load/browse.py",
    }
    assert not (tmp_path / "scenarios" / "load" / "__init__.py").exists()


def test_copying_over_an_edited_scenario_changes_nothing(tmp_path: Path) -> None:
    mine = tmp_path / "load" / "browse.py"
    mine.parent.mkdir()
    mine.write_text("# my edits\n")
    with pytest.raises(UsageError, match=r"browse.py exists \(1 of the 7 files do\)"):
        shipped.copy_scenarios(tmp_path)
    assert mine.read_text() == "# my edits\n"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["browse.py", "load"]
