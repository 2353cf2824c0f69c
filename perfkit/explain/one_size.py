"""Kept examples explained at the one data size there is (a test's block, a toolbar request):
no table is known to grow, so every table counts as one that may."""

from __future__ import annotations

from collections.abc import Mapping

from perfkit.analysis.report import EXAMINED_GROWS, ExplainedStatement
from perfkit.capture.statement_examples import Example
from perfkit.explain.judge import Measured, judge
from perfkit.explain.plan_command import NotExplained, explain
from perfkit.explain.plan_reading import read
from perfkit.explain.sql_columns import uses
from perfkit.explain.table_indexes import indexes
from perfkit.recording import current_recording


def explained(
    examples: Mapping[str, Example], sites: Mapping[str, tuple[str, str]]
) -> list[ExplainedStatement]:
    """Each example's plan and findings, by fingerprint order; ``sites`` gives each
    fingerprint's normalized SQL and call site. A statement that cannot be explained is
    kept with ``skipped`` saying why."""
    found = []
    # The plan commands are perfkit's own statements, not the request's.
    token = current_recording.set(None)
    try:
        for fp, example in sorted(examples.items()):
            sql, callsite = sites.get(fp, (example.sql, ""))
            statement = ExplainedStatement(fp, sql, example.alias, example.vendor, [], callsite, [])
            found.append(statement)
            try:
                plan = read(explain(example))
            except NotExplained as why:
                statement.skipped = str(why)
                continue
            used = uses(example.sql, example.vendor)
            statement.plans, findings = judge(
                used,
                [Measured("", plan, None)],
                {t: indexes(example.alias, t) for t in used.tables},
                {},
                growth_known=False,
            )
            statement.findings = [f for f in findings if f.kind != EXAMINED_GROWS]
    finally:
        current_recording.reset(token)
    return found
