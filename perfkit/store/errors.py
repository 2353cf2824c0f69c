"""The errors the store layer raises, and the redaction every store message goes through.

A ``StoreError`` is for the user: one line saying what failed and why. The CLI prints it
as ``perfkit: error: …`` and exits 2; anything else escaping a store is a bug.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from perfkit.errors import PerfkitError


class StoreError(PerfkitError):
    """A store could not be opened, read or written; the message says why."""


class CorruptRecordError(StoreError):
    """A stored record that cannot be read back as a recording: names the store, where, what."""

    def __init__(self, store_url: str, where: str, problem: str) -> None:
        self.store = redact_url(store_url)
        self.where = where
        self.problem = problem
        super().__init__(f"corrupt record in {self.store}, {where}: {problem}")


def redact_url(url: str) -> str:
    """``url`` with any password replaced by ``***``, for log and error messages."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return url
    if password is None and "password=" not in parts.query:
        return url
    netloc = parts.netloc
    if password is not None:
        userinfo, _, host = netloc.rpartition("@")
        netloc = f"{userinfo.partition(':')[0]}:***@{host}"
    query = parts.query
    if "password=" in query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, "***" if k == "password" else v) for k, v in pairs])
    return urlunsplit(parts._replace(netloc=netloc, query=query))
