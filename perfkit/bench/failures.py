"""How bench says what failed in a project's code: one line, and the project line it came from."""

from __future__ import annotations

import traceback
from pathlib import Path
from types import TracebackType

from perfkit.bench.memory import SHARE
from perfkit.errors import one_line

#: Paths of installed packages: a failure's project line is never one of these.
_INSTALLED = ("site-packages", "dist-packages")


def project_line(trace: TracebackType | None, root: Path) -> str | None:
    """``app/views.py:12``: the innermost frame of ``trace`` in the project under ``root``."""
    from perfkit.capture.callsite import short_path  # imports Django's template engine

    root = root.resolve()
    found = None
    for frame, line in traceback.walk_tb(trace):
        path = Path(frame.f_code.co_filename)
        if any(part in _INSTALLED for part in path.parts) or not path.is_relative_to(root):
            continue
        found = f"{short_path(str(path))}:{line}"
    return found


def explain(error: BaseException, root: Path) -> str:
    """``KeyError: 'TIMEOUT' at app/context_processors.py:12`` (the line when there is one)."""
    where = project_line(error.__traceback__, root)
    what = one_line(error)
    if isinstance(error, MemoryError):
        what += f" (the view asked for more than {SHARE:.0%} of this machine's memory)"
    return f"{what} at {where}" if where else what
