"""Redis store: recordings as JSON strings on one list, via redis-py imported on first use."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from perfkit.errors import StoreError
from perfkit.store import split_query_option
from perfkit.store.base import Store
from perfkit.store.redaction import redact_url
from perfkit.store.rows import Row, record_row

DEFAULT_KEY = "perfkit:recordings"
SOCKET_TIMEOUT_S = 1.0
PUSH_CHUNK = 500
READ_CHUNK = 1000


def _redis() -> Any:
    try:
        import redis
    except ImportError as exc:
        raise StoreError("the redis store needs redis-py: pip install redis") from exc
    return redis


class RedisStore(Store):
    """RPUSH onto ``?key=`` (default ``perfkit:recordings``); read with LRANGE, oldest first.

    Timeouts are short and a failed command is retried once at most, so a dead
    Redis fails the batch quickly instead of stalling the writer thread.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._client_url, key = split_query_option(url, "key")
        self.key = key or DEFAULT_KEY
        self._lock = threading.Lock()
        self._client: Any = None

    def _connection(self) -> Any:
        if self._client is None:
            redis = _redis()
            from redis.backoff import NoBackoff
            from redis.retry import Retry

            self._client = redis.Redis.from_url(
                self._client_url,
                socket_connect_timeout=SOCKET_TIMEOUT_S,
                socket_timeout=SOCKET_TIMEOUT_S,
                retry=Retry(NoBackoff(), 1),
            )
        return self._client

    def _run(self, action: str, operation: Any) -> Any:
        redis = _redis()
        with self._lock:
            client = self._connection()
        try:
            return operation(client)
        except redis.RedisError as exc:
            raise StoreError(
                f"redis store {action} failed ({redact_url(self.url)}): {exc}"
            ) from exc

    def write(self, records: list[dict[str, Any]]) -> None:
        self.write_rows([record_row(record) for record in records])

    def write_rows(self, rows: list[Row]) -> None:
        if not rows:
            return
        values = [row[6] for row in rows]

        def operation(client: Any) -> None:
            with client.pipeline(transaction=True) as pipe:
                for start in range(0, len(values), PUSH_CHUNK):
                    pipe.rpush(self.key, *values[start : start + PUSH_CHUNK])
                pipe.execute()

        self._run("write", operation)

    def missing(self) -> str | None:
        return None if self._run("read", lambda c: c.exists(self.key)) else f"no key {self.key!r}"

    def entries(self) -> Iterator[tuple[str, Any]]:
        # A missing key reads as an empty list: nothing to check first, nothing created.
        start = 0
        while True:
            chunk = self._run("read", lambda c, s=start: c.lrange(self.key, s, s + READ_CHUNK - 1))
            for offset, value in enumerate(chunk):
                yield f"index {start + offset}", value
            if len(chunk) < READ_CHUNK:
                return
            start += READ_CHUNK

    def count(self) -> int:
        return int(self._run("count", lambda c: c.llen(self.key)))

    def clear(self) -> None:
        self._run("clear", lambda c: c.delete(self.key))

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()
