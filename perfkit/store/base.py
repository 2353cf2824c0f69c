"""The interface every recording store implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterator
from typing import Any

from perfkit.store.rows import Row, payload


class StoreError(Exception):
    """A store could not be opened, read or written; the message says why."""


class Store(ABC):
    """Where finished recordings go: one backend per URL scheme.

    Records are plain dicts (``Recording.to_dict()``). Implementations open their
    connection lazily and reconnect after a failure, because the writer thread keeps
    using the same store object for the life of the process.
    """

    url: str

    @abstractmethod
    def write(self, records: list[dict[str, Any]]) -> None:
        """Persist a batch of records; raise on failure (the writer counts the drop)."""

    def write_rows(self, rows: list[Row]) -> None:
        """Persist a batch already encoded as rows; stores override this to skip decoding."""
        self.write([payload(row) for row in rows])

    @abstractmethod
    def read(self) -> Iterator[dict[str, Any]]:
        """Yield every stored record, oldest first."""

    def latest(self, view: str, limit: int) -> list[dict[str, Any]]:
        """The newest ``limit`` records of ``view``, oldest first.

        This reads the whole store; stores with an index on (view, started_at) override it.
        """
        return list(deque((r for r in self.read() if r.get("view") == view), maxlen=limit))

    @abstractmethod
    def count(self) -> int:
        """Number of stored records."""

    @abstractmethod
    def clear(self) -> None:
        """Delete every stored record."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; the store may be used again afterwards."""
