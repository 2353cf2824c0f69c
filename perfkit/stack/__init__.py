"""The full tier stack: nginx → gunicorn → pgbouncer → PostgreSQL, with memcached or Redis."""

from __future__ import annotations

from perfkit.errors import PerfkitError


class StackError(PerfkitError):
    """The stack could not be started, read or stopped; the message is one line."""
