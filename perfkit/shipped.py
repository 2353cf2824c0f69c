"""What the wheel carries beside the code: the stack's tier templates and the example scenarios.

``setup.py`` maps the checkout's ``middleware/`` into the package as ``perfkit.tiers`` and
``scenarios/`` as ``perfkit.scenarios`` (``bench/`` and ``load/``), so a source checkout, an
editable install and a wheel read them the same way, with ``importlib.resources``.
``$PERFKIT_MIDDLEWARE_DIR`` points the stack at templates of the user's own instead.
"""

from __future__ import annotations

import os
import shutil
from importlib import resources
from pathlib import Path
from typing import Literal

from perfkit.errors import UsageError

#: The two meanings of "scenario": a bench scenario (URLs, data, users) or a Locust file.
ScenarioKind = Literal["bench", "load"]
SCENARIO_KINDS: tuple[ScenarioKind, ...] = ("bench", "load")


def tiers_dir() -> Path:
    """The folder of tier templates: ``$PERFKIT_MIDDLEWARE_DIR``, else the shipped one."""
    override = os.environ.get("PERFKIT_MIDDLEWARE_DIR")
    path = Path(override) if override else _package_dir("perfkit.tiers")
    if not (path / "nginx.conf").is_file():
        raise UsageError(
            f"PERFKIT_MIDDLEWARE_DIR={path} holds no stack templates (nginx.conf, …): "
            "point it at a copy of perfkit's middleware/ folder, or unset it"
        )
    return path


def scenario_names(kind: ScenarioKind) -> list[str]:
    """The shipped scenarios of ``kind``, by the name ``perfkit`` accepts for them."""
    folder = _package_dir(f"perfkit.scenarios.{kind}")
    return sorted(p.stem for p in folder.glob("*.py") if not p.name.startswith("_"))


def scenario(kind: ScenarioKind, given: str, option: str) -> Path:
    """The scenario file ``given`` names: a path, else a shipped scenario's name (``browse``)."""
    path = Path(given)
    if path.is_file():
        return path
    name = path.stem if path.suffix == ".py" and path.parent == Path() else given
    if name in scenario_names(kind):
        return _package_dir(f"perfkit.scenarios.{kind}") / f"{name}.py"
    if path.exists():
        raise UsageError(f"{option} {given!r} is not a file; give a scenario file")
    shipped = ", ".join(scenario_names(kind))
    raise UsageError(
        f"{option} {given!r} is neither a file nor a shipped {kind} scenario ({shipped}); "
        "'perfkit init scenarios' copies them into your project"
    )


def copy_scenarios(target: Path) -> list[Path]:
    """Copy every shipped scenario into ``target/bench`` and ``target/load``; return the copies.

    Refuses, before copying anything, when one of the files is already there: a scenario a
    user edited is never overwritten.
    """
    pairs = [
        (_package_dir(f"perfkit.scenarios.{kind}") / f"{name}.py", target / kind / f"{name}.py")
        for kind in SCENARIO_KINDS
        for name in scenario_names(kind)
    ]
    taken = [str(dest) for _, dest in pairs if dest.exists()]
    if taken:
        raise UsageError(
            f"{taken[0]} exists ({len(taken)} of the {len(pairs)} files do): "
            "choose another folder, or move yours aside"
        )
    for source, dest in pairs:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
    return [dest for _, dest in pairs]


def _package_dir(package: str) -> Path:
    # Installed as files (a wheel or an editable install), never as a zip: a real folder.
    return Path(str(resources.files(package)))
