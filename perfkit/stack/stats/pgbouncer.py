"""pgbouncer's admin console: SHOW STATS (wait time, transactions) and SHOW POOLS (waiting)."""

from __future__ import annotations

from typing import Any


def _rows(admin_url: str, command: str) -> list[dict[str, Any]]:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=2) as conn:
        cursor = conn.cursor()
        cursor.execute(command)
        names = [d.name for d in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def stats(admin_url: str, database: str) -> dict[str, float]:
    """Cumulative counters for ``database``: transactions, queries, wait time (µs)."""
    for row in _rows(admin_url, "SHOW STATS"):
        if row["database"] == database:
            return {
                "xacts": float(row["total_xact_count"]),
                "queries": float(row["total_query_count"]),
                "wait_us": float(row["total_wait_time"]),
                "xact_us": float(row["total_xact_time"]),
            }
    return {"xacts": 0.0, "queries": 0.0, "wait_us": 0.0, "xact_us": 0.0}


def pools(admin_url: str, database: str) -> dict[str, float]:
    """Right now: clients waiting for a server connection and the longest wait (ms)."""
    waiting = active = 0
    maxwait_ms = 0.0
    for row in _rows(admin_url, "SHOW POOLS"):
        if row["database"] == database:
            waiting += int(row["cl_waiting"])
            active += int(row["sv_active"])
            maxwait_ms = max(maxwait_ms, row["maxwait"] * 1000.0 + row["maxwait_us"] / 1000.0)
    return {"cl_waiting": waiting, "sv_active": active, "maxwait_ms": maxwait_ms}
