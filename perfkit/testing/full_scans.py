"""``Recorded.assert_no_full_scans()``: every distinct SELECT a test block ran, explained.

A test's tables hold a few rows, so no table is known to grow: a filter or a sort that no
index of the table serves is reported whatever the table's size. The parameters kept for
EXPLAIN stay in memory for the block only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from perfkit.analysis.report import ExplainedStatement
from perfkit.explain.one_size import explained

if TYPE_CHECKING:
    from perfkit.testing.recorder import Recorded


def full_scans(recorded: Recorded) -> list[ExplainedStatement]:
    """The block's statements whose plans read a table whole to filter it, or sort with no
    index, each with the ``Meta.indexes`` line to add."""
    sites = {q.fingerprint: (q.sql, q.callsite) for q in recorded.queries}
    statements = explained(recorded.examples.by_fingerprint(), sites)
    return [statement for statement in statements if statement.findings]
