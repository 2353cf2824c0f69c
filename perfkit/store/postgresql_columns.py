"""The PostgreSQL store's analysis columns: what the server takes out of each record as it is
written, so that an analysis reads numbers and arrays instead of expanding every payload.

The writer sends the seven columns it always sent; the server fills these from the payload in
the same INSERT (no Python runs for them, so the middleware's write path is unchanged). A
row whose ``q_fp`` is NULL was written by an older perfkit, or before its table had these
columns, or held a record the extraction refused: readers extract it from its payload then.
Fingerprints (16 hex digits) are stored as signed 64-bit integers, bit for bit.
"""

from __future__ import annotations

from perfkit import labels
from perfkit.recording import CACHE_READS, CACHE_WRITES

#: (name, type), in the order ``extracted`` gives them.
COLUMNS = (
    ("l_phase", "text"),
    ("l_size", "text"),
    ("l_persona", "text"),
    ("l_cache", "text"),
    ("l_target", "text"),
    ("cpu_ms", "double precision"),
    ("response_bytes", "bigint"),
    ("page_cache_hit", "boolean"),
    ("body_hash", "text"),
    ("authenticated", "boolean"),
    ("validators", "boolean"),
    ("gets", "bigint"),
    ("hits", "bigint"),
    ("sets", "bigint"),
    ("nh", "integer"),
    ("q_fp", "bigint[]"),
    ("q_us", "bigint[]"),
    ("q_rows", "bigint[]"),
    ("q_ph", "bigint[]"),
)
NAMES = ", ".join(name for name, _ in COLUMNS)
#: Its ``ADD COLUMN`` clauses, for a table made before these columns existed.
ADD = ", ".join(f"ADD COLUMN IF NOT EXISTS {name} {kind}" for name, kind in COLUMNS)
#: Set on every row whose columns are filled.
MARKER = "q_fp"

_READS = ", ".join(f"'{op}'" for op in CACHE_READS)
_WRITES = ", ".join(f"'{op}'" for op in CACHE_WRITES)


def _flag(p: str, field: str) -> str:
    return f"coalesce(({p}->>'{field}')::boolean, false)"


def extracted(p: str) -> str:
    """A subquery of one row: the COLUMNS of the record held by the jsonb expression ``p``.

    One pass over each array (aggregated in its order); a value of the wrong type raises a
    data error (SQLSTATE class 22), which the writer answers by storing the row without them.
    """
    label = f"{p}->'labels'->>"
    return f"""(SELECT {label}'{labels.PHASE}', {label}'{labels.SIZE}', {label}'{labels.PERSONA}',
    {label}'{labels.CACHE}', {label}'{labels.TARGET}',
    ({p}->>'cpu_ms')::float8, ({p}->>'response_bytes')::bigint, {_flag(p, "page_cache_hit")},
    {p}->>'body_hash', {_flag(p, "authenticated")},
    {_flag(p, "has_cache_control")} OR {_flag(p, "has_etag")}
        OR {_flag(p, "has_last_modified")},
    c.gets, c.hits, c.sets, coalesce(jsonb_array_length({p}->'http_calls'), 0),
    coalesce(q.fp, ARRAY[]::bigint[]), coalesce(q.us, ARRAY[]::bigint[]),
    coalesce(q.rows, ARRAY[]::bigint[]), coalesce(q.ph, ARRAY[]::bigint[])
FROM (SELECT
        coalesce(sum((o->>5)::bigint) FILTER (WHERE o->>1 IN ({_READS})), 0) AS gets,
        coalesce(sum((o->>6)::bigint) FILTER (WHERE o->>1 IN ({_READS})), 0) AS hits,
        coalesce(sum((o->>5)::bigint) FILTER (WHERE o->>1 IN ({_WRITES})), 0) AS sets
    FROM jsonb_array_elements({p}->'cache_ops') o) c,
    (SELECT array_agg(('x' || lpad(e->>1, 16, '0'))::bit(64)::bigint) AS fp,
        array_agg((e->>2)::bigint) AS us,
        array_agg((e->>3)::bigint) AS rows,
        array_agg((e->>6)::bigint) AS ph
    FROM jsonb_array_elements({p}->'queries') AS x(e)) q)"""


def readable(t: str) -> tuple[str, str]:
    """The COLUMNS of the rows of ``FROM table t`` as stored, or extracted from the payload of
    a row stored without them: (the select list, named as COLUMNS; the join to put after
    ``FROM table t``). A row that has them never has its payload read: OFFSET 0 keeps the
    planner from merging the subquery, whose condition then decides before it runs."""
    select = ", ".join(f"coalesce({t}.{name}, e.{name}) AS {name}" for name, _ in COLUMNS)
    join = (
        f"LEFT JOIN LATERAL (SELECT * FROM {extracted(f'{t}.payload')} x({NAMES})"
        f" WHERE {t}.{MARKER} IS NULL OFFSET 0) e ON true"
    )
    return select, join
