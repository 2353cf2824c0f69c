"""JSON Lines store: one record per line, appended under an exclusive flock per batch."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from typing import Any

from perfkit.errors import StoreError
from perfkit.store.base import Store
from perfkit.store.rows import Row, record_row


def parse_jsonl_url(url: str) -> str:
    """``jsonl:///abs/path.jsonl`` is absolute; ``jsonl://rel.jsonl`` is relative to the cwd."""
    path = url.partition("://")[2]
    if not path or path == "/":
        raise StoreError(
            f"jsonl store URL {url!r} has no path: use jsonl:///absolute/path.jsonl "
            "or jsonl://relative.jsonl"
        )
    return os.path.abspath(path)


#: How far out of start order a record can be written (the longest request, the writer's
#: delay): ``--since`` reads from this long before the time it was given.
SINCE_MARGIN_S = 600.0
#: A binary search stops within this many bytes of the place it looks for.
_SEEK_STEP = 1 << 16


class JSONLStore(Store):
    """Append-only file that several processes may write at once.

    Each batch is written with one ``write()`` while holding ``LOCK_EX``; readers
    take ``LOCK_SH`` only to find where the last complete batch ends. A line left
    torn by a crashed writer is terminated before the next batch, so it spoils no other
    line; reading reports it as a corrupt record.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = parse_jsonl_url(url)

    def write(self, records: list[dict[str, Any]]) -> None:
        self.write_rows([record_row(record) for record in records])

    def write_rows(self, rows: list[Row]) -> None:
        if not rows:
            return
        data = "".join(row[6] + "\n" for row in rows).encode()
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(self.path, "a+b") as file:
                fcntl.flock(file, fcntl.LOCK_EX)
                size = os.fstat(file.fileno()).st_size
                if size and os.pread(file.fileno(), 1, size - 1) != b"\n":
                    data = b"\n" + data
                file.write(data)
                file.flush()
        except OSError as exc:
            raise StoreError(f"jsonl store write failed ({self.path}): {exc}") from exc

    def missing(self) -> str | None:
        return None if os.path.exists(self.path) else f"no file {self.path}"

    def entries(self) -> Iterator[tuple[str, Any]]:
        try:
            file = open(self.path, "rb")  # noqa: SIM115 - closed in the finally below
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StoreError(f"jsonl store read failed ({self.path}): {exc}") from exc
        try:
            fcntl.flock(file, fcntl.LOCK_SH)
            end = os.fstat(file.fileno()).st_size
            fcntl.flock(file, fcntl.LOCK_UN)
            position = 0
            for number, line in enumerate(file, start=1):
                position += len(line)
                if position > end:
                    return  # appended after we looked: the next read sees it whole
                if line.strip():  # a blank line holds no record
                    yield _where(number, line), line
        finally:
            file.close()

    def offset_since(self, since: float) -> int:
        """Where the records that started at ``since`` or later begin in the file: a binary
        search by ``started_at``, less SINCE_MARGIN_S.

        Records are appended as they finish, so the file is in start order to within the
        longest request plus the writer's flush delay; the margin covers that, and the
        reader still checks every record it is given. 0 when the search cannot tell.
        """
        try:
            with open(self.path, "rb") as file:
                low, high = 0, os.fstat(file.fileno()).st_size
                target = since - SINCE_MARGIN_S
                while high - low > _SEEK_STEP:
                    middle = (low + high) // 2
                    started = _started_after(file, middle)
                    if started is None or started >= target:
                        high = middle
                    else:
                        low = middle
                return _line_start(file, low)
        except OSError:
            return 0

    def count(self) -> int:
        return sum(1 for _ in self.entries())

    def clear(self) -> None:
        try:
            with open(self.path, "r+b") as file:
                fcntl.flock(file, fcntl.LOCK_EX)
                file.truncate(0)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StoreError(f"jsonl store clear failed ({self.path}): {exc}") from exc


def _started_after(file: Any, position: int) -> float | None:
    """The start time of the first whole record after ``position`` (None: none readable)."""
    file.seek(position)
    if position:
        file.readline()
    for _ in range(8):
        line = file.readline()
        if not line:
            return None
        try:
            return float(json.loads(line)["started_at"])
        except (ValueError, KeyError, TypeError):
            continue
    return None


def _line_start(file: Any, position: int) -> int:
    """The offset of the first line that starts at or after ``position``."""
    if position == 0:
        return 0
    file.seek(position - 1)
    file.readline()
    return file.tell()


def _where(number: int, line: bytes) -> str:
    # Under LOCK_SH no batch is half-written, so a last line without its newline was torn.
    return f"line {number}" if line.endswith(b"\n") else f"line {number} (torn: no newline)"
