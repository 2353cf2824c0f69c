"""The full tier stack: nginx → gunicorn → pgbouncer → PostgreSQL, with memcached or Redis."""

from __future__ import annotations


class StackError(Exception):
    """The stack could not be started, read or stopped; the message is one line."""
