"""What a statement's plans show: full scans to filter, sorts no index gives, and rows read
growing with the data while the rows returned stay the same ("O(n) inside one query").

"No usable index" is judged from the table's real indexes, not from the planner's choice
alone: at a bench's few rows a planner may read a small table whole although an index
fits. A finding needs both: the plan reads every row (or sorts), and no index serves it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from perfkit.analysis.report import (
    EXAMINED_GROWS,
    FULL_SCAN,
    UNINDEXED_SORT,
    PlanFinding,
    SizePlan,
)
from perfkit.explain.plan_reading import ReadPlan
from perfkit.explain.sql_columns import TableUse, Uses
from perfkit.explain.table_indexes import TableIndexes, index_line, model_of

#: Rows of one table at each size, by size: what bench counted after each size's requests.
TableRows = Mapping[str, Mapping[str, int]]


@dataclass(frozen=True)
class Measured:
    """A statement's plan at one size, and the most rows one execution of it returned."""

    size: str
    plan: ReadPlan
    returned: int | None


def judge(
    uses: Uses,
    measured: Sequence[Measured],
    indexes: Mapping[str, TableIndexes],
    table_rows: TableRows,
    *,
    growth_known: bool = True,
) -> tuple[list[SizePlan], list[PlanFinding]]:
    """The plans as the report shows them, and the findings; sizes in ascending order.

    Findings are read from the largest size's plan. With ``growth_known`` False (a test's
    block, one data size) every table counts as one that grows.
    """
    plans = [
        SizePlan(m.size, m.plan.text, _examined(m, uses, table_rows), m.returned) for m in measured
    ]
    if not measured:
        return plans, []
    last = measured[-1]
    grows = {t for t in uses.tables if not growth_known or _grows(table_rows.get(t, {}))}
    found: list[PlanFinding] = []
    scanned = {uses.table(a.table) for a in last.plan.accesses if a.full}
    for table in sorted(scanned & grows):
        use = uses.tables.get(table, TableUse())
        have = indexes.get(table, TableIndexes())
        if use.filtered and not have.serves_filter(use.filtered):
            rows = table_rows.get(table, {}).get(last.size)
            at = f" ({rows} rows at n={last.size})" if rows is not None else ""
            found.append(
                _finding(
                    FULL_SCAN,
                    table,
                    [*use.filtered, *_order(use, have)],
                    f"reads every row of {table}{at} to filter on {', '.join(use.filtered)}",
                )
            )
    if last.plan.sorts:
        for table in sorted(grows):
            use = uses.tables.get(table, TableUse())
            order = [column for column, _desc in use.order]
            have = indexes.get(table, TableIndexes())
            if order and not have.one_row(use.equal) and not have.serves_order(use.equal, order):
                fields = [*use.equal, *(("-" if d else "") + c for c, d in use.order)]
                if not any(f.table == table for f in found):
                    found.append(
                        _finding(
                            UNINDEXED_SORT,
                            table,
                            fields,
                            f"sorts {table}'s rows on {', '.join(order)}: no index gives that "
                            "order",
                        )
                    )
    found.extend(_examined_grows(plans, found))
    return plans, found


def _order(use: TableUse, have: TableIndexes) -> list[str]:
    """The order columns to add after a filter's, when no index gives that order."""
    order = [column for column, _desc in use.order]
    if not order or have.serves_order(use.equal, order):
        return []
    return [("-" if desc else "") + column for column, desc in use.order]


def _finding(kind: str, table: str, columns: list[str], detail: str) -> PlanFinding:
    model = model_of(table)
    names: list[str] = []
    for column in columns:
        bare = column.lstrip("-")
        name = ("-" if column.startswith("-") else "") + (
            model.fields.get(bare, bare) if model else bare
        )
        # A column filtered and sorted on is one index column: an index reads both ways.
        if name.lstrip("-") not in (n.lstrip("-") for n in names):
            names.append(name)
    return PlanFinding(
        kind=kind,
        table=table,
        model=model.label if model else None,
        fields=names,
        index=index_line(names),
        detail=detail,
    )


def _examined(measured: Measured, uses: Uses, table_rows: TableRows) -> int | None:
    """Rows the plan reads: counted (analyze) or estimated per access, a full read at the
    table's size; None when the plan tells neither."""
    total, known = 0.0, False
    for access in measured.plan.accesses:
        if access.rows is not None:
            total, known = total + access.rows, True
        elif access.full:
            rows = table_rows.get(uses.table(access.table), {}).get(measured.size)
            if rows is not None:
                total, known = total + rows, True
    return round(total) if known else None


def _examined_grows(plans: list[SizePlan], found: list[PlanFinding]) -> list[PlanFinding]:
    """Rows read growing between sizes while rows returned stay the same."""
    known = [p for p in plans if p.rows_examined is not None and p.rows_returned is not None]
    if len(known) < 2:
        return []
    first, last = known[0], known[-1]
    assert first.rows_examined is not None and last.rows_examined is not None
    if last.rows_examined <= first.rows_examined or first.rows_returned != last.rows_returned:
        return []
    cause = found[0] if found else None
    return [
        PlanFinding(
            kind=EXAMINED_GROWS,
            table=cause.table if cause else "",
            model=cause.model if cause else None,
            fields=cause.fields if cause else [],
            index=cause.index if cause else None,
            detail=(
                f"reads {first.rows_examined} → {last.rows_examined} rows "
                f"(n={first.size} → n={last.size}) to return {last.rows_returned}"
            ),
        )
    ]


def _grows(rows: Mapping[str, int]) -> bool:
    """Whether a table grew between the sizes it was counted at (one count: ≥ its size)."""
    counted = sorted((int(size), count) for size, count in rows.items() if size.isdigit())
    if len(counted) >= 2:
        return counted[-1][1] > counted[0][1]
    return bool(counted) and counted[0][1] >= counted[0][0]
