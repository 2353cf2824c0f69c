"""perfkit's own failures: counted per process and logged once per kind, never raised."""

from __future__ import annotations

import logging
import threading

logger = logging.getLogger("perfkit")

_lock = threading.Lock()
_errors: dict[str, int] = {}


def count_error(what: str) -> None:
    """Count a failure of perfkit's own code; log it with its traceback the first time."""
    with _lock:
        first = what not in _errors
        _errors[what] = _errors.get(what, 0) + 1
    if first:
        logger.warning(
            "perfkit failed while %s; the request went on unrecorded", what, exc_info=True
        )


def error_counts() -> dict[str, int]:
    """How many times each kind of failure happened in this process."""
    with _lock:
        return dict(_errors)
