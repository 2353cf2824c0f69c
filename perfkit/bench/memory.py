"""A ceiling on the bench process's memory, so that a runaway view fails alone.

A project's view on generated data can ask for memory without end: Wagtail's collection
list indents each name by ``"&nbsp;" * 4 * depth``, and a depth of two billion took all
24 GB of the machine before the kernel killed the run. Under the ceiling the allocation
raises ``MemoryError`` inside the request instead; Django answers it as a 500 and bench
reports that view, with the line it failed at, and goes on.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

#: The share of the machine's memory the bench may reserve.
SHARE = 0.75


def ceiling() -> int | None:
    """The address-space limit for this machine, in bytes (None where it cannot be read)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") * SHARE)
    except (AttributeError, ValueError, OSError):
        return None


@contextlib.contextmanager
def capped() -> Iterator[int | None]:
    """Lower the soft address-space limit to :func:`ceiling` while inside; yield the limit.

    A lower limit that is already set stays; where the platform has no such limit (Windows)
    nothing changes and None is yielded.
    """
    try:
        import resource
    except ImportError:
        yield None
        return
    limit = ceiling()
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if limit is None or (soft != resource.RLIM_INFINITY and soft <= limit):
        yield None if soft == resource.RLIM_INFINITY else soft
        return
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield limit
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
