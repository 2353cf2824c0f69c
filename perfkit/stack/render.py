"""Render the stack's tier templates (``middleware/``, shipped as ``perfkit.tiers``) into a run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from perfkit.shipped import tiers_dir


def render(template: str, target: Path, **variables: Any) -> Path:
    """Render the tier template ``template`` with ``variables`` into ``target``; return it."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(tiers_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    target.write_text(env.get_template(template).render(**variables))
    return target
