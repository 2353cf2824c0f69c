"""SQLite's ``EXPLAIN QUERY PLAN`` read: rows of ``(id, parent, _, detail)``.

``SCAN t`` reads every row of ``t`` (through an index when ``USING INDEX`` follows, still
every row); ``SEARCH t USING INDEX i (col=?)`` reads the matching rows; ``USE TEMP B-TREE
FOR ORDER BY`` is a sort no index gave. SQLite gives no row estimates.
"""

from __future__ import annotations

import re
from typing import Any

from perfkit.explain.plan_reading import Access, ReadPlan

_ACCESS = re.compile(
    r"(?P<how>SCAN|SEARCH)\s+(?:TABLE\s+)?(?P<table>\S+)(?:\s+AS\s+(?P<alias>\S+))?"
    r"(?:\s+USING\s+(?:COVERING\s+|INTEGER\s+PRIMARY\s+KEY)?(?:INDEX\s+(?P<index>\S+))?)?"
)


def read_sqlite(rows: Any) -> ReadPlan:
    plan = ReadPlan()
    depth: dict[int, int] = {}
    for row in rows:
        node, parent, detail = int(row[0]), int(row[1]), str(row[3])
        depth[node] = depth.get(parent, -1) + 1
        plan.lines.append("  " * depth[node] + detail)
        if (
            "TEMP B-TREE FOR ORDER BY" in detail
            or "TEMP B-TREE FOR RIGHT PART OF ORDER BY" in detail
        ):
            plan.sorts = True
        match = _ACCESS.match(detail)
        if match:
            table = match["alias"] or match["table"]
            full = match["how"] == "SCAN"
            plan.accesses.append(Access(table, full, match["index"]))
    return plan
