"""Background writer: a bounded queue per process drained into the store by a daemon thread,
through a child process (``sink``) where one can write to that store."""

from __future__ import annotations

import atexit
import collections
import contextlib
import logging
import os
import threading
import time
from typing import Any

from perfkit.store import LastStore, open_store, redact_url, sink

logger = logging.getLogger("perfkit")

#: How long the thread lets records gather before writing them: the request threads never
#: wake it (appending to a deque notifies nobody), so it competes with them for the GIL
#: once per interval rather than once per request.
LINGER_SECONDS = 0.1


class _Writer:
    """One process's queue, thread, open store and exact counters."""

    def __init__(self, queue_size: int, batch_size: int) -> None:
        self.pid = os.getpid()
        self.items: collections.deque[tuple[str, Any]] = collections.deque()
        self.maxsize = max(1, queue_size)
        self.batch_size = max(1, batch_size)
        self.lock = threading.Lock()
        self.resolved_changed = threading.Condition(threading.Lock())
        self.thread: threading.Thread | None = None
        self.stopping = False
        self.store = LastStore()
        #: Whether batches go to a child process (``submit(child=…)``), and the one they go to.
        self.child = self.child_failed = False
        self.sink: sink.Sink | None = None
        self.child_reaches: dict[str, bool] = {}
        self.submitted = self.written = self.dropped = self.errors = 0
        self.accepted = self.resolved = 0
        self.warned: set[str] = set()
        self.wake = threading.Event()

    def warn_once(self, kind: str, message: str, *args: Any) -> None:
        with self.lock:
            if kind in self.warned:
                return
            self.warned.add(kind)
        logger.warning(message, *args)

    def ensure_thread(self) -> None:
        """Start the thread unless one runs (run() clears ``thread`` if it ever ends)."""
        with self.lock:
            if self.thread is not None:
                return
            # Set before start(), so a thread that ends at once leaves None behind, not itself.
            thread = self.thread = threading.Thread(
                target=self.run, name="perfkit-writer", daemon=True
            )
            try:
                thread.start()
            except BaseException:
                self.thread = None
                raise

    def put(self, store_url: str, record: Any) -> bool:
        with self.lock:
            self.submitted += 1
            full = len(self.items) >= self.maxsize
            if full:
                self.dropped += 1
            else:
                self.accepted += 1
                self.items.append((store_url, record))
        if full:
            self.warn_once(
                "full",
                "perfkit: recording queue is full (%d); dropping recordings "
                "(the store is slower than the traffic)",
                self.maxsize,
            )
        return not full

    def run(self) -> None:
        try:
            self.drain()
        finally:
            self.thread = None

    def drain(self) -> None:
        while True:
            if not self.items:
                if self.stopping:
                    break
                self.wake.wait(LINGER_SECONDS)
            elif len(self.items) < self.batch_size and not self.stopping:
                self.wake.wait(LINGER_SECONDS)
            self.wake.clear()
            while self.items:
                self.write_batch()
        self.store.close()
        self.close_sink()

    def write_batch(self) -> None:
        """Write up to batch_size queued records that share the first one's store URL."""
        store_url, first = self.items.popleft()
        batch = [first]
        while len(batch) < self.batch_size and self.items and self.items[0][0] == store_url:
            batch.append(self.items.popleft()[1])
        self.write(store_url, batch)

    def write(self, store_url: str, batch: list[Any]) -> None:
        written = 0
        try:
            through_child = self.write_in_child(store_url, batch)
            if through_child is not None:
                written = through_child
            else:
                # open_store looked up here, where the tests put their doubles of a store
                self.store.write(store_url, batch, open_store)
                written = len(batch)
        except Exception as exc:
            self.store.close()
            with self.lock:
                self.errors += 1
            self.warn_once(
                "store",
                "perfkit: could not write %d recording(s) to %s, dropping them: %s",
                len(batch),
                redact_url(store_url),
                exc,
            )
        finally:
            with self.lock:
                self.written += written
                self.dropped += len(batch) - written
                self.resolved += len(batch)
            with self.resolved_changed:
                self.resolved_changed.notify_all()

    def write_in_child(self, store_url: str, batch: list[Any]) -> int | None:
        """How many of ``batch`` the child process wrote; None where this thread must write
        them itself: no child asked for, a store it cannot reach, records marshal cannot
        hold, or a child that could not start or stopped answering (never asked again)."""
        if not self.child:
            return None
        usable = self.child_reaches.get(store_url)
        if usable is None:  # asked once per store: the answer reads the file system
            usable = self.child_reaches[store_url] = sink.usable_for(store_url)
        if not usable:
            return None
        try:
            encoded = sink.frame((store_url, batch))
        except ValueError:
            return None
        try:
            if self.sink is None:
                self.sink = sink.Sink()
            return self.sink.write(encoded)
        except sink.SinkGone as exc:
            self.close_sink()
            self.child, self.child_failed = False, True
            self.warn_once(
                "sink", "perfkit: the writer's child process: %s; writing from this one", exc
            )
            return None

    def close_sink(self) -> None:
        found, self.sink = self.sink, None
        if found is not None:
            found.close()

    def flush(self, timeout: float) -> bool:
        with self.lock:
            target = self.accepted
        self.wake.set()
        with self.resolved_changed:
            return self.resolved_changed.wait_for(lambda: self.resolved >= target, timeout)

    def stop(self, timeout: float) -> bool:
        self.stopping = True
        self.wake.set()
        thread = self.thread
        if thread is None:
            self.store.close()
            self.close_sink()
            return True
        if thread is not threading.current_thread():
            thread.join(max(0.0, timeout))
        return not thread.is_alive()

    def stats(self) -> dict[str, int]:
        with self.lock:
            return {
                "submitted": self.submitted,
                "written": self.written,
                "dropped": self.dropped,
                "errors": self.errors,
            }


_guard = threading.Lock()
_writer: _Writer | None = None
_forked_away: list[_Writer] = []
_warned_without_writer = False


def _current(queue_size: int, batch_size: int) -> _Writer:
    """This process's writer, made on first use; a forked child starts with none."""
    global _writer
    with _guard:
        if _writer is not None and _writer.pid != os.getpid():
            _forked_away.append(_writer)
            _writer = None
        if _writer is None:
            _writer = _Writer(queue_size, batch_size)
        return _writer


def submit(
    record: Any, store_url: str, *, queue_size: int, batch_size: int, child: bool = False
) -> bool:
    """Queue ``record`` for ``store_url`` without blocking; False if it was dropped.

    With ``child``, the thread hands batches to a child process that encodes and writes
    them (``sink``) where it can, so that work does not hold this process's GIL.

    The queue and thread are created by the first call in each process (and again
    in a forked child); ``queue_size`` is fixed from then until ``shutdown()``.
    Never raises: failures are counted in ``stats()`` and logged once per process.
    """
    global _warned_without_writer
    writer: _Writer | None = None
    try:
        # A forked child never sees its parent's writer here (_after_fork_in_child drops it), so
        # the hot path needs no os.getpid(), a system call on every use since glibc 2.25.
        writer = _writer or _current(queue_size, batch_size)
        if batch_size != writer.batch_size:
            writer.batch_size = max(1, batch_size)
        if child is not writer.child and not writer.child_failed:
            writer.child = child
        if writer.thread is None:
            writer.ensure_thread()
        return writer.put(store_url, record)
    except Exception as exc:
        if writer is not None:
            with writer.lock:
                writer.submitted += 1
                writer.dropped += 1
                writer.errors += 1
            writer.warn_once("submit", "perfkit: could not queue a recording: %r", exc)
        elif not _warned_without_writer:
            _warned_without_writer = True
            with contextlib.suppress(Exception):
                logger.warning("perfkit: could not queue a recording: %r", exc)
        return False


def flush(timeout: float = 5.0) -> bool:
    """Wait until everything submitted so far is written or dropped; False on timeout."""
    writer = _writer
    if writer is None or writer.pid != os.getpid():
        return True
    return writer.flush(timeout)


def stats() -> dict[str, int]:
    """This process's exact counters: submitted = written + dropped + still queued."""
    writer = _writer
    if writer is None or writer.pid != os.getpid():
        return {"submitted": 0, "written": 0, "dropped": 0, "errors": 0}
    return writer.stats()


def shutdown(timeout: float = 5.0) -> bool:
    """Flush, stop the thread, close the store and reset queue and counters.

    The next ``submit()`` starts afresh. Returns False if the flush or the stop
    timed out (a stuck thread is abandoned; it is a daemon and owns its own state).
    """
    global _writer
    with _guard:
        writer, _writer = _writer, None
    if writer is None or writer.pid != os.getpid():
        return True
    deadline = time.monotonic() + timeout
    flushed = writer.flush(timeout)
    stopped = writer.stop(deadline - time.monotonic())
    return flushed and stopped


def _after_fork_in_child() -> None:
    global _guard, _writer
    _guard = threading.Lock()
    if _writer is not None:
        # Keep the parent's writer referenced so its connections are never finalized here.
        _forked_away.append(_writer)
        _writer = None


def _at_exit() -> None:
    shutdown(timeout=5.0)


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(_at_exit)
