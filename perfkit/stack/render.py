"""Render the configuration templates in ``middleware/`` into a run directory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jinja2

from perfkit.stack import StackError


def templates_dir() -> Path:
    """``middleware/`` beside the package (a source checkout), or $PERFKIT_MIDDLEWARE_DIR."""
    override = os.environ.get("PERFKIT_MIDDLEWARE_DIR")
    path = Path(override) if override else Path(__file__).resolve().parents[2] / "middleware"
    if not (path / "nginx.conf").is_file():
        raise StackError(f"no stack templates in {path}: set PERFKIT_MIDDLEWARE_DIR")
    return path


def render(template: str, target: Path, **variables: Any) -> Path:
    """Render ``middleware/<template>`` with ``variables`` into ``target``; return it."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    target.write_text(env.get_template(template).render(**variables))
    return target
