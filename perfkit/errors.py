"""perfkit's one error hierarchy, and how an error becomes one line a user can read.

Every failure perfkit reports to a user is a ``PerfkitError``: the CLI catches it in one
place, prints ``perfkit: error: <message>`` and exits 2. Anything else escaping a command is
a bug in perfkit.
"""

from __future__ import annotations


class PerfkitError(Exception):
    """A failure for the user to fix; the message says what is wrong and how to fix it."""


class UsageError(PerfkitError):
    """Bad input on the command line: an option, a path, a file the user named."""


def one_line(error: BaseException) -> str:
    """``Type: first line of the message``, for errors a user has to read."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
