"""perfkit's one error hierarchy, and how an error becomes one line a user can read.

Every failure perfkit reports to a user is a ``PerfkitError``: the CLI catches it in one
place, prints ``perfkit: error: <message>`` and exits 2. Anything else escaping a command is
a bug in perfkit. Each subclass says which part failed; all of them live here, so a newcomer
finds every way perfkit can refuse in one file. Standard library only: the middleware
imports it.
"""

from __future__ import annotations


class PerfkitError(Exception):
    """A failure for the user to fix; the message says what is wrong and how to fix it."""


class UsageError(PerfkitError):
    """Bad input on the command line: an option, a path, a file the user named."""


class SettingsError(PerfkitError, ValueError):
    """A setting in ``settings.PERFKIT`` has a value perfkit does not accept; names both."""


class StoreError(PerfkitError):
    """A recording store could not be opened, read or written; the message says why."""


class CorruptRecordError(StoreError):
    """A stored record that cannot be read back as a recording: names the store, where, what."""

    def __init__(self, store: str, where: str, problem: str) -> None:
        self.store = store  # the store's URL, its password already redacted
        self.where = where
        self.problem = problem
        super().__init__(f"corrupt record in {store}, {where}: {problem}")


class BaselineError(PerfkitError, ValueError):
    """A baseline file is missing, unreadable or not a perfkit baseline; names the file."""


class GateConfigError(PerfkitError, ValueError):
    """The gate config has a mistake; the message names the file and key."""


class GateRunError(PerfkitError, RuntimeError):
    """A bench run or a git step of ``perfkit gate --against`` failed; says which and why."""


class StackError(PerfkitError):
    """The stack could not be started, read or stopped; the message is one line."""


class LoadError(PerfkitError):
    """The load run could not start or finish; the message is one line."""


def one_line(error: BaseException) -> str:
    """``Type: first line of the message``, for errors a user has to read."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
