"""The installed distribution: entry points and a base install that needs only Django."""

from __future__ import annotations

import re
from importlib.metadata import distribution, entry_points


def test_entry_points_are_installed() -> None:
    scripts = {ep.name: ep.value for ep in entry_points(group="console_scripts")}
    plugins = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert scripts["perfkit"] == "perfkit.cli:main"
    assert plugins["perfkit"] == "perfkit.pytest_plugin"


def test_the_base_install_requires_only_django() -> None:
    requires = distribution("perfkit").requires or []
    base = [r for r in requires if "extra ==" not in r]
    assert [re.split(r"[<>=!;\s]", r)[0] for r in base] == ["Django"]
