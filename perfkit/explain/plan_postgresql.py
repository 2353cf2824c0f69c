"""PostgreSQL's ``EXPLAIN (FORMAT JSON)`` read: its node tree is already parsed JSON."""

from __future__ import annotations

from typing import Any

from perfkit.explain.plan_reading import Access, ReadPlan, blanked

#: Nodes that read a table; an index scan with no index condition walks the whole index.
_SCANS = ("Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan", "Tid Scan")
_SORTS = ("Sort", "Incremental Sort")
#: Conditions and keys shown under a node, values blanked.
_DETAILS = ("Index Cond", "Recheck Cond", "Filter", "Join Filter", "Hash Cond", "Sort Key")


def read_postgresql(data: Any, analyzed: bool) -> ReadPlan:
    plan = ReadPlan(analyzed=analyzed)
    root = data[0]["Plan"] if isinstance(data, list) else data["Plan"]
    _walk(root, 0, plan)
    return plan


def _walk(node: dict[str, Any], depth: int, plan: ReadPlan) -> None:
    kind = node.get("Node Type", "?")
    relation = node.get("Relation Name")
    head = kind
    if node.get("Index Name"):
        head += f" using {node['Index Name']}"
    if relation:
        alias = node.get("Alias")
        head += f" on {relation}" + (f" {alias}" if alias and alias != relation else "")
    head += f"  (rows={_whole(node.get('Plan Rows'))}"
    if "Actual Rows" in node:
        head += f" actual={_whole(node['Actual Rows'])} loops={node.get('Actual Loops', 1)}"
    plan.lines.append("  " * depth + ("-> " if depth else "") + head + ")")
    for key in _DETAILS:
        if key in node:
            value = node[key]
            shown = ", ".join(value) if isinstance(value, list) else str(value)
            plan.lines.append("  " * depth + f"   {key}: {blanked(shown, 'postgresql')}")
    if kind in _SORTS:
        plan.sorts = True
    if kind in _SCANS and relation:
        full = kind == "Seq Scan" or (
            kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node
        )
        plan.accesses.append(
            Access(
                table=node.get("Alias") or relation,
                full=full,
                index=node.get("Index Name"),
                rows=_examined(node) if plan.analyzed else None,
            )
        )
    for child in node.get("Plans", ()):
        _walk(child, depth + 1, plan)


def _examined(node: dict[str, Any]) -> float:
    """Rows the node read: those it returned plus those its filter removed, every loop."""
    per_loop = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
    return float(per_loop * node.get("Actual Loops", 1))


def _whole(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else "?"
