"""MySQL's and MariaDB's ``EXPLAIN FORMAT=JSON`` (and MariaDB's ``ANALYZE FORMAT=JSON``) read.

Each ``table`` object is one access: ``access_type`` ALL reads every row, ``index`` walks a
whole index; ``filesort`` (MariaDB) or ``using_filesort`` (MySQL) is a sort the index order
did not give.
"""

from __future__ import annotations

from typing import Any

from perfkit.explain.plan_reading import Access, ReadPlan, blanked

_FULL = ("ALL", "index")


def read_mysql(data: Any, analyzed: bool) -> ReadPlan:
    plan = ReadPlan(analyzed=analyzed)
    _walk(data, 0, plan)
    return plan


def _walk(node: Any, depth: int, plan: ReadPlan) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, depth, plan)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "table" and isinstance(value, dict):
            _table(value, depth, plan)
        elif key in ("filesort", "using_filesort") and value:
            plan.sorts = True
            sort_key = value.get("sort_key") if isinstance(value, dict) else None
            shown = f"filesort: {blanked(sort_key, 'mysql')}" if sort_key else "filesort"
            plan.lines.append("  " * depth + shown)
            _walk(value, depth + 1, plan)
        elif isinstance(value, dict | list):
            _walk(value, depth, plan)


def _table(table: dict[str, Any], depth: int, plan: ReadPlan) -> None:
    name = str(table.get("table_name", "?"))
    access = str(table.get("access_type", "?"))
    rows = table.get("rows_examined_per_scan", table.get("rows"))
    head = f"{access} {name}"
    if table.get("key"):
        head += f" using {table['key']}"
    head += f"  (rows={rows if rows is not None else '?'}"
    if "r_rows" in table:
        head += f" actual={table['r_rows']:g} loops={table.get('r_loops', 1)}"
    plan.lines.append("  " * depth + head + ")")
    condition = table.get("attached_condition")
    if condition:
        plan.lines.append("  " * depth + f"   condition: {blanked(str(condition), 'mysql')}")
    examined = None
    if plan.analyzed and table.get("r_rows") is not None:
        examined = float(table["r_rows"]) * float(table.get("r_loops", 1))
    plan.accesses.append(
        Access(name, access in _FULL, table.get("key"), examined if plan.analyzed else None)
    )
    for key, value in table.items():
        if isinstance(value, dict | list) and key not in ("possible_keys", "used_key_parts"):
            _walk(value, depth + 1, plan)
