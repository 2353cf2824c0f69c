"""Redis store: recordings as JSON strings on one list, via redis-py imported on first use."""

from __future__ import annotations

import threading
import uuid
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
#: List items one prune script looks at. Redis runs a script alone, so this bounds how long
#: a writer's RPUSH waits behind it: each item is JSON-decoded inside the script.
PRUNE_WINDOW = 500

#: One prune step over the window of the list from ARGV[1]: every record in it that started
#: before ARGV[3] is swapped for a tombstone (ARGV[4], unique to the prune), then as many
#: tombstones are removed, from the head. Returns {items looked at, items removed}. Appends
#: land after the window, so a record pushed meanwhile is never touched.
_PRUNE_SCRIPT = """
local start, window, before = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local items = redis.call('LRANGE', KEYS[1], start, start + window - 1)
local removed = 0
for offset, raw in ipairs(items) do
  local ok, record = pcall(cjson.decode, raw)
  if ok and type(record) == 'table' and type(record.started_at) == 'number'
      and record.started_at < before then
    redis.call('LSET', KEYS[1], start + offset - 1, ARGV[4])
    removed = removed + 1
  end
end
if removed > 0 then
  redis.call('LREM', KEYS[1], removed, ARGV[4])
end
return {#items, removed}
"""


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

    def prune(self, before: float) -> int:
        """Window by window from the head of the list, one short script each (see
        ``_PRUNE_SCRIPT``); a record that is not JSON, or has no numeric started_at, stays."""
        window = min(self.prune_batch, PRUNE_WINDOW)
        tombstone = f"perfkit:pruned:{uuid.uuid4().hex}"
        script = self._run("prune", lambda c: c.register_script(_PRUNE_SCRIPT))
        start = removed = 0
        while True:
            args = (start, window, repr(before), tombstone)
            seen, deleted = self._run("prune", lambda c, a=args: script([self.key], a, client=c))
            removed += deleted
            start += seen - deleted
            if seen < window:
                return removed

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()
