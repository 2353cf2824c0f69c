"""JSON Lines store: one record per line, appended under an exclusive flock per batch."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator, Mapping
from typing import IO, Any

from perfkit.errors import StoreError
from perfkit.store.base import Store
from perfkit.store.records import started_at
from perfkit.store.rows import Row, record_row

#: How often a prune starts again when the file changed under it (another prune replaced
#: it, or a clear emptied it) before it gives up with an error.
PRUNE_ATTEMPTS = 5


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
#: Where ``find`` looks for a record before it reads the whole file: among the records that
#: started from FIND_BEFORE_S before it to FIND_AFTER_S after it. A record is appended when
#: its request ends and the writer flushes, among those that started about when it did.
FIND_BEFORE_S = 60.0
FIND_AFTER_S = 120.0
#: How perfkit writes a record's first two fields: read without decoding the line.
_HEAD = re.compile(rb'\{"id":"([0-9a-f]+)","started_at":(-?[0-9][0-9.e+-]*)[,}]')


class JSONLStore(Store):
    """Append-only file that several processes may write at once.

    Each batch is written with one ``write()`` while holding ``LOCK_EX``; readers
    take ``LOCK_SH`` only to find where the last complete batch ends. A line left
    torn by a crashed writer is terminated before the next batch, so it spoils no other
    line; reading reports it as a corrupt record. A prune writes the kept lines to a new
    file and renames it over this one, so whoever takes ``LOCK_EX`` checks first that the
    file it opened is still the one at the path, and opens it again if not.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = parse_jsonl_url(url)

    def _locked(self, mode: str) -> IO[bytes]:
        """The file now at the path, opened in ``mode`` and held under ``LOCK_EX``.

        A file opened just before a prune renamed its successor over the path would take
        a write no reader ever sees again: so after the lock, the file must still be the
        one the path names, else it is opened again.
        """
        while True:
            file = open(self.path, mode)  # noqa: SIM115 - returned to the caller to close
            try:
                fcntl.flock(file, fcntl.LOCK_EX)
                if _same_file(file, self.path):
                    return file
            except BaseException:
                file.close()
                raise
            file.close()

    def write(self, records: list[dict[str, Any]]) -> None:
        self.write_rows([record_row(record) for record in records])

    def write_rows(self, rows: list[Row]) -> None:
        if not rows:
            return
        data = "".join(row[6] + "\n" for row in rows).encode()
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with self._locked("a+b") as file:
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
                return _offset(file, since - SINCE_MARGIN_S)
        except OSError:
            return 0

    def find(self, wanted: Mapping[str, float]) -> dict[str, str]:
        """Each record is looked for near its start time first (a binary search, then the
        lines from FIND_BEFORE_S before it to FIND_AFTER_S after it); one not met there is
        looked for in the whole file."""
        found: dict[str, str] = {}
        try:
            with open(self.path, "rb") as file:
                for low, high in _windows(sorted(wanted.values())):
                    file.seek(_offset(file, low))
                    while line := file.readline():
                        record_id, start = _head(line)
                        if record_id is not None and record_id in wanted:
                            found.setdefault(record_id, line.decode("utf-8", "replace").rstrip())
                        if start is not None and start > high:
                            break
        except OSError as exc:
            raise StoreError(f"jsonl store read failed ({self.path}): {exc}") from exc
        missing = {rid: start for rid, start in wanted.items() if rid not in found}
        return found | super().find(missing) if missing else found

    def count(self) -> int:
        return sum(1 for _ in self.entries())

    def clear(self) -> None:
        try:
            with self._locked("r+b") as file:
                file.truncate(0)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StoreError(f"jsonl store clear failed ({self.path}): {exc}") from exc

    def prune(self, before: float) -> int:
        """Copy the kept lines to a temporary file beside this one without any lock, then,
        under ``LOCK_EX``, copy what writers appended meanwhile and rename it over the path:
        writers wait only for that copy of the tail, never for the whole file.

        Kept lines are copied byte for byte, a torn or corrupt one included; when no line
        is old enough the file is left as it is.
        """
        try:
            for _ in range(PRUNE_ATTEMPTS):
                removed = self._prune_once(before)
                if removed is not None:
                    return removed
        except FileNotFoundError:
            return 0
        except OSError as exc:
            raise StoreError(f"jsonl store prune failed ({self.path}): {exc}") from exc
        raise StoreError(
            f"jsonl store prune failed ({self.path}): the file was replaced or emptied "
            f"under it {PRUNE_ATTEMPTS} times; run it again"
        )

    def _prune_once(self, before: float) -> int | None:
        """One attempt: how many lines went, or None if the file changed under it."""
        directory, name = os.path.split(self.path)
        with open(self.path, "rb") as file:
            fcntl.flock(file, fcntl.LOCK_SH)  # no batch is half-written while we look
            end = os.fstat(file.fileno()).st_size
            fcntl.flock(file, fcntl.LOCK_UN)
            descriptor, temporary = tempfile.mkstemp(
                dir=directory, prefix=f".{name}.", suffix=".prune"
            )
            try:
                with open(descriptor, "wb") as kept:
                    removed = _copy_kept(file, end, kept, before)
                    if not removed:
                        os.unlink(temporary)
                        return 0
                    kept.flush()
                    os.fsync(kept.fileno())
                    fcntl.flock(file, fcntl.LOCK_EX)
                    held = os.fstat(file.fileno())
                    if not _same_file(file, self.path) or held.st_size < end:
                        os.unlink(temporary)
                        return None
                    file.seek(end)
                    shutil.copyfileobj(file, kept)  # what writers appended since we looked
                    kept.flush()
                    os.fchmod(kept.fileno(), stat.S_IMODE(held.st_mode))
                    os.fsync(kept.fileno())
                    os.replace(temporary, self.path)
            except BaseException:
                if os.path.exists(temporary):
                    os.unlink(temporary)
                raise
        _sync_directory(directory)
        return removed


def _copy_kept(file: IO[bytes], end: int, kept: IO[bytes], before: float) -> int:
    """Copy the lines of ``file``'s first ``end`` bytes that did not start before ``before``
    into ``kept``, byte for byte; return how many lines were left out."""
    removed, remaining = 0, end
    file.seek(0)
    while remaining > 0:
        line = file.readline(remaining)
        if not line:
            break
        remaining -= len(line)
        start = started_at(line)
        if start is not None and start < before:
            removed += 1
        else:
            kept.write(line)
    return removed


def _same_file(file: IO[bytes], path: str) -> bool:
    """Whether ``path`` still names the open ``file`` (no rename or unlink replaced it)."""
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    opened = os.fstat(file.fileno())
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)


def _sync_directory(directory: str) -> None:
    """Make the rename durable: a crash right after it must not bring the old file back."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _offset(file: Any, target: float) -> int:
    """Where the records that started at ``target`` or later begin, by a binary search of a
    file in start order to within a few records (0 when the search cannot tell)."""
    low, high = 0, os.fstat(file.fileno()).st_size
    while high - low > _SEEK_STEP:
        middle = (low + high) // 2
        started = _started_after(file, middle)
        if started is None or started >= target:
            high = middle
        else:
            low = middle
    return _line_start(file, low)


def _windows(starts: list[float]) -> Iterator[tuple[float, float]]:
    """The spans of start times ``find`` reads, for records that started at ``starts``
    (sorted): one per record, merged where they overlap."""
    low = high = None
    for start in starts:
        if high is not None and start - FIND_BEFORE_S <= high:
            high = start + FIND_AFTER_S
            continue
        if low is not None and high is not None:
            yield low, high
        low, high = start - FIND_BEFORE_S, start + FIND_AFTER_S
    if low is not None and high is not None:
        yield low, high


def _head(line: bytes) -> tuple[str | None, float | None]:
    """A stored line's id and start time, read from its first bytes where perfkit wrote it
    (decoded where another writer put the fields elsewhere); None where it has none."""
    match = _HEAD.match(line)
    if match:
        return match[1].decode(), float(match[2])
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):
        return None, None
    if not isinstance(record, dict):
        return None, None
    record_id = record.get("id")
    return (record_id if isinstance(record_id, str) else None), started_at(record)


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
