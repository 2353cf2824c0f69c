"""How an explained statement reads in every renderer: its findings, the fix and its plan."""

from __future__ import annotations

from perfkit.analysis.report import (
    EXAMINED_GROWS,
    FULL_SCAN,
    GROWS,
    IN_N_PLUS_ONE,
    MOST_DB_TIME,
    UNINDEXED_SORT,
    ExplainedStatement,
    PlanFinding,
)

KIND_LABELS = {
    FULL_SCAN: "full scan",
    UNINDEXED_SORT: "sort with no index",
    EXAMINED_GROWS: "O(n) inside one query",
}
_WHY = {
    IN_N_PLUS_ONE: "in an N+1 group",
    GROWS: "grows with the data",
    MOST_DB_TIME: "most DB time",
}
#: Plan lines a listing shows at most per statement (the JSON report has them all).
PLAN_LINES = 12


def why(statement: ExplainedStatement) -> str:
    """``explained: in an N+1 group, most DB time``."""
    return "explained: " + ", ".join(_WHY.get(reason, reason) for reason in statement.why)


def finding_line(finding: PlanFinding) -> str:
    """``full scan: reads every row of catalog_review (30 rows at n=30) to filter on reader``."""
    return f"{KIND_LABELS.get(finding.kind, finding.kind)}: {finding.detail}"


def fix_line(finding: PlanFinding) -> str | None:
    """``add models.Index(fields=["reader"]) to catalog.Review's Meta.indexes``."""
    if finding.index is None:
        return None
    where = f"{finding.model}'s Meta.indexes" if finding.model else f"an index on {finding.table}"
    return f"add {finding.index} to {where}"


def fixes(statement: ExplainedStatement) -> list[str]:
    """Each distinct fix of the statement's findings, in order."""
    found: list[str] = []
    for finding in statement.findings:
        line = fix_line(finding)
        if line is not None and line not in found:
            found.append(line)
    return found


def plan_text(statement: ExplainedStatement, lines: int | None = PLAN_LINES) -> tuple[str, str]:
    """``(size, text)`` of the largest size's plan, cut to ``lines`` lines."""
    if not statement.plans:
        return "", ""
    last = statement.plans[-1]
    shown = last.text.splitlines()
    if lines is not None and len(shown) > lines:
        shown = [*shown[:lines], f"… {len(shown) - lines} more lines in the JSON report"]
    return last.size, "\n".join(shown)


def rows_line(statement: ExplainedStatement) -> str | None:
    """``rows read per size: n=5: 5, n=30: 30; returned: 1, 1`` when the plans say."""
    read = [p for p in statement.plans if p.rows_examined is not None]
    if not read:
        return None
    shown = ", ".join(f"n={p.size}: {p.rows_examined}" for p in read)
    returned = [str(p.rows_returned) for p in read if p.rows_returned is not None]
    return f"rows read per size: {shown}" + (
        f"; returned: {', '.join(returned)}" if returned else ""
    )
