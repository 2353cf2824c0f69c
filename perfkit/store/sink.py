"""The background writer's child process: it encodes and stores the recordings a process
sends it, so that work runs beside the requests instead of taking turns with them for the GIL.

A batch goes down the child's stdin as one frame, an 8-byte length and ``marshal``'s bytes of
``(store_url, records)``; the child answers each with a frame of ``(written, error)``. The
parent's writer thread waits for that answer, so its counters and ``flush()`` mean what they
mean without a child. The child imports no Django; it stops at the end of its stdin, and
leaves an interrupt (Ctrl-C reaches a whole process group) to its parent.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import signal
import subprocess
import sys
from typing import IO, Any

_LENGTH = 8

#: What the child runs: the parent's import path first, then the loop below.
_MAIN = "import sys; sys.path[:0] = sys.argv[1:]; from perfkit.store.sink import main; main()"

#: Stores whose writes land in the same place from another process.
_SCHEMES = ("sqlite", "jsonl", "postgresql", "postgres", "redis")


class SinkGone(Exception):
    """The child could not be started or no longer answers."""


def usable_for(store_url: str) -> bool:
    """Whether a child process can write to ``store_url`` for this one: a store of a file or
    a server (not SQLite's ``:memory:``), and an interpreter that can start it."""
    scheme, _, rest = store_url.partition("://")
    if scheme.lower() not in _SCHEMES or (scheme.lower() == "sqlite" and ":memory:" in rest):
        return False
    name = os.path.basename(sys.executable or "").lower()
    return name.startswith(("python", "pypy")) and os.access(sys.executable, os.X_OK)


def frame(value: Any) -> bytes:
    """``value`` as one frame; ValueError for what marshal cannot hold (an object)."""
    data = marshal.dumps(value)
    return len(data).to_bytes(_LENGTH, "little") + data


def read_frame(stream: IO[bytes]) -> Any:
    """The next frame's value; EOFError at the end of the stream."""
    header = stream.read(_LENGTH)
    if len(header) < _LENGTH:
        raise EOFError
    size = int.from_bytes(header, "little")
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return marshal.loads(data)


class Sink:
    """One child process and its two pipes, used by one writer thread."""

    def __init__(self) -> None:
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _MAIN, *[p for p in sys.path if isinstance(p, str)]],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        except (OSError, ValueError, subprocess.SubprocessError) as exc:
            raise SinkGone(f"could not start it: {exc}") from exc

    def write(self, encoded: bytes) -> int:
        """Send a batch framed as ``encoded`` (``frame((store_url, records))``) and wait for
        its answer: how many were written; the child's error as StoreFailure."""
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        try:
            stdin.write(encoded)
            stdin.flush()
            written, error = read_frame(stdout)
        except (OSError, EOFError, ValueError, TypeError) as exc:
            raise SinkGone(f"it stopped answering (exit status {self.process.poll()})") from exc
        if error is not None:
            raise StoreFailure(error)
        return int(written)

    def close(self) -> None:
        """End the child's input; it exits once it has answered what it was sent."""
        stdin = self.process.stdin
        # A child whose pipe a forked process still holds a copy of ends when that one does.
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            if stdin is not None:
                stdin.close()
            self.process.wait(timeout=1.0)


class StoreFailure(Exception):
    """The child's store refused a batch (its message, as the store raised it)."""


def main() -> None:
    """The child: write each batch read from stdin, answer each on stdout, until EOF."""
    from perfkit.store import LastStore

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The answers keep stdout to themselves: anything a store's library prints goes to stderr.
    source, answers = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    store = LastStore()
    while True:
        try:
            store_url, records = read_frame(source)
        except EOFError:
            break
        try:
            store.write(store_url, records)
            answer: tuple[int, str | None] = (len(records), None)
        except Exception as exc:
            store.close()
            answer = (0, str(exc) or type(exc).__name__)
        answers.write(frame(answer))
        answers.flush()
    store.close()
