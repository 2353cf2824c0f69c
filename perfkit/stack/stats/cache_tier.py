"""Cache-tier counters: memcached ``stats`` and Redis ``INFO stats``, hits and misses."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit


def _exchange(host: str, port: int, command: bytes, terminator: bytes) -> str:
    with socket.create_connection((host, port), timeout=2) as sock:
        sock.sendall(command)
        data = b""
        while terminator not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return data.decode(errors="replace")


def counters(cache_url: str) -> dict[str, int] | None:
    """``{"hits": …, "misses": …}`` so far for a memcached:// or redis:// URL; else None."""
    parts = urlsplit(cache_url)
    if parts.scheme == "memcached":
        text = _exchange(parts.hostname or "", parts.port or 11211, b"stats\r\n", b"END\r\n")
        values = dict(line.split()[1:3] for line in text.splitlines() if line.startswith("STAT "))
        return {"hits": int(values["get_hits"]), "misses": int(values["get_misses"])}
    if parts.scheme in ("redis", "rediss"):
        text = _exchange(parts.hostname or "", parts.port or 6379, b"INFO stats\r\n", b"\r\n\r\n")
        values = dict(
            line.split(":", 1) for line in text.splitlines() if ":" in line and "_" in line
        )
        return {"hits": int(values["keyspace_hits"]), "misses": int(values["keyspace_misses"])}
    return None
