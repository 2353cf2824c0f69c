"""The interface every recording store implements."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from perfkit.errors import CorruptRecordError
from perfkit.recording import Recording
from perfkit.store.records import started_at, stored_recording
from perfkit.store.rows import Row, payload

#: Records one batch of ``prune`` deletes: each batch is a short transaction of its own.
PRUNE_BATCH = 5000

#: Takes a corrupt record's error instead of letting it end the read (``--skip-corrupt``).
OnCorrupt = Callable[[CorruptRecordError], None]


class Store(ABC):
    """Where finished recordings go: one backend per URL scheme.

    Records go in as plain dicts (``Recording.to_dict()``) or rows, and come back out as
    Recordings checked by ``stored_recording``; only ``entries()`` is raw. Implementations
    open their connection lazily and reconnect after a failure, because the writer thread
    keeps using the same store object for the life of the process. Only writing creates the
    store (file, table); reading, counting and ``missing`` never leave anything behind.
    """

    url: str
    #: Records per ``prune`` batch; a test lowers it on one store to see many batches.
    prune_batch: int = PRUNE_BATCH

    @abstractmethod
    def write(self, records: list[dict[str, Any]]) -> None:
        """Persist a batch of records; raise on failure (the writer counts the drop)."""

    def write_rows(self, rows: list[Row]) -> None:
        """Persist a batch already encoded as rows; stores override this to skip decoding."""
        self.write([payload(row) for row in rows])

    @abstractmethod
    def entries(self) -> Iterator[tuple[str, Any]]:
        """Yield ``(where, raw)`` for every stored record, oldest first, undecoded.

        ``where`` names the record in an error message (``id '9c41…'``, ``line 12``);
        ``raw`` is what the store holds: JSON text, or what the driver parsed it into.
        """

    def read(self, on_corrupt: OnCorrupt | None = None) -> Iterator[Recording]:
        """Yield every stored recording, oldest first.

        A corrupt record raises ``CorruptRecordError``; given ``on_corrupt``, it goes there
        instead and the read goes on without it.
        """
        for where, raw in self.entries():
            try:
                recording = stored_recording(self.url, where, raw)
            except CorruptRecordError as error:
                if on_corrupt is None:
                    raise
                on_corrupt(error)
                continue
            yield recording

    def lines(self, since: float | None = None) -> Iterator[str]:
        """Every stored record (that started at ``since`` or later) as one line of JSON text,
        in the store's order (by start time where it has an index), undecoded where the
        store holds text: what DuckDB reads.

        This reads every record; stores with an index on started_at override it.
        """
        for _where, raw in self.entries():
            if isinstance(raw, (bytes, bytearray)):
                text = raw.decode("utf-8", "replace")
            elif isinstance(raw, str):
                text = raw
            else:
                text = json.dumps(raw, separators=(",", ":"))
            if since is not None and not _started_since(text, since):
                continue
            yield text.rstrip("\n")

    def find(self, wanted: Mapping[str, float]) -> dict[str, str]:
        """The records whose ids are the keys of ``wanted`` (each id's value is when its
        request started), as ``lines`` gives them: what the analysis reads in full of the
        few requests it names. An id the store does not hold is left out.

        This reads every record; stores with an index on id, or in start order, override it.
        """
        found = {}
        for text in self.lines():
            record_id = _record_id(text)
            if record_id is not None and record_id in wanted:
                found[record_id] = text
        return found

    def latest(self, view: str, limit: int) -> list[Recording]:
        """The newest ``limit`` recordings of ``view``, oldest first.

        This reads the whole store; stores with an index on (view, started_at) override it.
        """
        return list(deque((r for r in self.read() if r.view == view), maxlen=limit))

    def between(self, start: float, end: float) -> list[Recording]:
        """The recordings of requests that started from ``start`` to ``end`` (epoch seconds),
        oldest first; a corrupt one raises ``CorruptRecordError``.

        This reads the whole store; stores with an index on started_at override it.
        """
        found = [r for r in self.read() if start <= r.started_at <= end]
        return sorted(found, key=lambda r: (r.started_at, r.id))

    @abstractmethod
    def missing(self) -> str | None:
        """None if the store exists, else what is missing (``no file /x.sqlite3``)."""

    @abstractmethod
    def count(self) -> int:
        """Number of stored records."""

    @abstractmethod
    def clear(self) -> None:
        """Delete every stored record."""

    @abstractmethod
    def prune(self, before: float) -> int:
        """Delete the records that started before ``before`` (epoch seconds); return how many.

        In batches of at most ``prune_batch`` records, each a short transaction of its own, so
        the time any writer waits stays bounded however large the store: a record written while
        the prune runs is kept. A record whose start cannot be read is kept too. A store that
        does not exist is left uncreated (0 removed).
        """

    def count_before(self, before: float) -> int:
        """How many records ``prune(before)`` would delete now.

        This reads the whole store; stores with an index on started_at override it.
        """
        return sum(
            1
            for _, raw in self.entries()
            if (start := started_at(raw)) is not None and start < before
        )

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; the store may be used again afterwards."""


def _record_id(text: str) -> str | None:
    """A stored record's id (None: it has none that can be read)."""
    try:
        record_id = json.loads(text).get("id")
    except (ValueError, TypeError, AttributeError, RecursionError):
        return None
    return record_id if isinstance(record_id, str) else None


def _started_since(text: str, since: float) -> bool:
    """Whether a stored record started at ``since`` or later (a record that cannot be read
    goes through, for the reader to report)."""
    try:
        return float(json.loads(text).get("started_at", since)) >= since
    except (ValueError, TypeError, AttributeError):
        return True
