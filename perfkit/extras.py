"""Which optional extras a command needs, checked before it starts: one line naming the extra.

Each extra of ``setup.py`` lists the modules a command imports as it runs; without one, the
command would die half-way in a traceback (or, for the stack, wait for a tier it cannot
reach). pyinstrument is not listed: only ``--profile`` needs it, and that option names it.
"""

from __future__ import annotations

import importlib.util

from perfkit.errors import UsageError

#: Modules of each extra, as setup.py installs them.
MODULES: dict[str, tuple[str, ...]] = {
    "cli": ("rich", "httpx", "jinja2", "model_bakery", "scipy"),
    "stack": ("gunicorn", "locust", "psycopg", "pymemcache", "redis"),
}


def missing(extra: str) -> str | None:
    """The first module of ``extra`` that is not installed, or None."""
    for name in MODULES[extra]:
        try:
            if importlib.util.find_spec(name) is None:
                return name
        except ImportError:  # an import hook that refuses the module
            return name
    return None


def require(extra: str, what: str) -> None:
    """Raise the one-line error for ``what`` when a module of ``extra`` is missing."""
    absent = missing(extra)
    if absent:
        raise UsageError(
            f'{what} needs the {extra} extra (no module {absent!r}): pip install "perfkit[{extra}]"'
        )
