"""``Recorded.assert_no_full_scans()``: every distinct SELECT a test block ran, explained.

A test's tables hold a few rows, so no table is known to grow: a filter or a sort that no
index of the table serves is reported whatever the table's size. The parameters kept for
EXPLAIN stay in memory for the block only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from perfkit.analysis.report import EXAMINED_GROWS, ExplainedStatement
from perfkit.explain.judge import Measured, judge
from perfkit.explain.plan_command import NotExplained, explain
from perfkit.explain.plan_reading import read
from perfkit.explain.sql_columns import uses
from perfkit.explain.table_indexes import indexes

if TYPE_CHECKING:
    from perfkit.testing.recorder import Recorded


def full_scans(recorded: Recorded) -> list[ExplainedStatement]:
    """The block's statements whose plans read a table whole to filter it, or sort with no
    index, each with the ``Meta.indexes`` line to add."""
    sites = {q.fingerprint: (q.sql, q.callsite) for q in recorded.queries}
    found = []
    for fp, example in sorted(recorded.examples.by_fingerprint().items()):
        try:
            plan = read(explain(example))
        except NotExplained:
            continue
        used = uses(example.sql, example.vendor)
        _plans, findings = judge(
            used,
            [Measured("", plan, None)],
            {t: indexes(example.alias, t) for t in used.tables},
            {},
            growth_known=False,
        )
        findings = [f for f in findings if f.kind != EXAMINED_GROWS]
        if findings:
            sql, callsite = sites.get(fp, (example.sql, ""))
            found.append(
                ExplainedStatement(
                    fp, sql, example.alias, example.vendor, [], callsite, [], _plans, findings
                )
            )
    return found
