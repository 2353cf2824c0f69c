"""``perfkit bench --explain``: plans of the statements that matter, at every size.

While a size's requests run, one example (SQL and parameters) of each distinct SELECT is
kept in memory. Once they are done, and before the next size's data replaces this one's,
the statements chosen from that size's recordings are explained, once each, on the
connection that ran them: those in an N+1 group, those whose count or rows grew since the
last size, and each view's statement holding most of its DB time; a statement chosen at one
size is explained at every later one, so its plans can be compared. Nothing else is
explained, and the examples are dropped after each size: parameters are never stored.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from perfkit import labels
from perfkit.analysis.n_plus_one import THRESHOLD
from perfkit.analysis.report import (
    GROWS,
    IN_N_PLUS_ONE,
    MOST_DB_TIME,
    ExplainedStatement,
)
from perfkit.capture.statement_examples import Example, Examples, is_select, keeping
from perfkit.explain.judge import Measured, judge
from perfkit.explain.plan_command import NotExplained, explain, returned_rows
from perfkit.explain.plan_reading import ReadPlan, read
from perfkit.explain.sql_columns import Uses, uses
from perfkit.explain.table_indexes import indexes
from perfkit.recording import Recording

OFF, PLAN, ANALYZE = "off", "plan", "analyze"
MODES = (OFF, PLAN, ANALYZE)
#: Statements explained at one size at most: a project of many views stays bounded.
LIMIT = 200


@dataclass
class _Statement:
    """What bench knows of one chosen statement across sizes."""

    fingerprint: str
    sql: str
    callsite: str
    views: set[str] = field(default_factory=set)
    why: set[str] = field(default_factory=set)
    example: Example | None = None
    uses: Uses = field(default_factory=Uses)
    plans: dict[str, ReadPlan] = field(default_factory=dict)
    returned: dict[str, int | None] = field(default_factory=dict)
    skipped: str | None = None


@dataclass
class _Seen:
    """One statement in one view at one size: most executions and rows in one request, and
    its DB time in all."""

    count: int = 0
    rows: int | None = None
    ms: float = 0.0
    sql: str = ""
    callsite: str = ""


class Explainer:
    """Keeps examples during each size, explains the chosen statements after it."""

    def __init__(self, mode: str = PLAN) -> None:
        self.mode = mode
        self.examples = Examples()
        self.statements: dict[str, _Statement] = {}
        self.table_rows: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
        self._previous: dict[tuple[str, str], _Seen] = {}

    @contextmanager
    def keeping(self) -> Iterator[None]:
        with keeping(self.examples):
            yield

    def after_size(self, size: int, recordings: list[Recording]) -> None:
        """Explain what this size's recordings single out, then drop the examples."""
        try:
            self._explain_size(str(size), recordings)
        finally:
            self.examples.clear()

    def _explain_size(self, size: str, recordings: list[Recording]) -> None:
        seen = _seen(recordings)
        for (view, fp), now in seen.items():
            before = self._previous.get((view, fp))
            why = set()
            if now.count >= THRESHOLD:
                why.add(IN_N_PLUS_ONE)
            if before is not None and (
                now.count > before.count or (now.rows or 0) > (before.rows or 0)
            ):
                why.add(GROWS)
            if why:
                self._choose(fp, now, view, why)
        for view, fp in _most_time(seen):
            self._choose(fp, seen[(view, fp)], view, {MOST_DB_TIME})
        for view, fp in seen:
            if fp in self.statements:
                self.statements[fp].views.add(view)
        self._previous = seen
        examples = self.examples.by_fingerprint()
        explained = 0
        for fp, statement in self.statements.items():
            example = examples.get(fp)
            if example is None:
                if statement.example is None and statement.skipped is None:
                    statement.skipped = "not a SELECT: only SELECT statements are explained"
                continue
            if explained >= LIMIT:
                statement.skipped = statement.skipped or f"more than {LIMIT} statements chosen"
                continue
            explained += 1
            if statement.example is None:
                statement.example = example
                statement.uses = uses(example.sql, example.vendor)
            statement.returned[size] = max(
                (s.rows for (v, f), s in seen.items() if f == fp and s.rows is not None),
                default=None,
            )
            if statement.returned[size] is None:
                statement.returned[size] = returned_rows(example)
            try:
                plan = read(explain(example, analyze=self.mode == ANALYZE))
            except NotExplained as why:
                statement.skipped = statement.skipped or str(why)
                continue
            statement.plans[size] = plan
            for access in plan.accesses:
                self._count(example, statement.uses.table(access.table), size)

    def _choose(self, fp: str, now: _Seen, view: str, why: set[str]) -> None:
        statement = self.statements.setdefault(fp, _Statement(fp, now.sql, now.callsite))
        statement.views.add(view)
        statement.why |= why

    def _count(self, example: Example, table: str, size: str) -> None:
        """The table's rows at this size, counted once: how a full read's cost grows."""
        from django.db import DatabaseError, connections, transaction

        key = (example.alias, table)
        if size in self.table_rows[key]:
            return
        connection = connections[example.alias]
        try:
            with transaction.atomic(using=example.alias), connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                self.table_rows[key][size] = int(cursor.fetchone()[0])
        except DatabaseError:
            pass  # an alias in the plan that names no table: its rows stay unknown

    def explained(self) -> list[ExplainedStatement]:
        """Every chosen statement with its plans and findings, those with findings first."""
        found = []
        for statement in self.statements.values():
            found.append(self._explained(statement))
        found.sort(key=lambda s: (not s.findings, s.skipped is not None, s.views, s.fingerprint))
        return found

    def _explained(self, statement: _Statement) -> ExplainedStatement:
        example = statement.example
        result = ExplainedStatement(
            fingerprint=statement.fingerprint,
            sql=statement.sql,
            alias=example.alias if example else "",
            vendor=example.vendor if example else "",
            views=sorted(statement.views),
            callsite=statement.callsite,
            why=sorted(statement.why),
            skipped=statement.skipped if not statement.plans else None,
            gated=bool(statement.why & {IN_N_PLUS_ONE, GROWS}),
        )
        if example is None or not statement.plans:
            return result
        sizes = sorted(statement.plans, key=int)
        measured = [Measured(s, statement.plans[s], statement.returned.get(s)) for s in sizes]
        tables = set(statement.uses.tables)
        result.plans, result.findings = judge(
            statement.uses,
            measured,
            {t: indexes(example.alias, t) for t in tables},
            {t: self.table_rows.get((example.alias, t), {}) for t in tables},
        )
        return result


def _seen(recordings: list[Recording]) -> dict[tuple[str, str], _Seen]:
    """Each (view, statement) of one size's measured recordings: the most in one request."""
    seen: dict[tuple[str, str], _Seen] = {}
    for recording in recordings:
        if not labels.measured(recording.labels) or not recording.view:
            continue
        counts: Counter[str] = Counter()
        for query in recording.queries:
            counts[query.fingerprint] += 1
            entry = seen.setdefault((recording.view, query.fingerprint), _Seen())
            entry.ms += query.duration_ms
            entry.sql = entry.sql or query.sql
            entry.callsite = query.callsite or entry.callsite
            if query.rows is not None and is_select(query.sql):
                entry.rows = max(entry.rows or 0, query.rows)
        for fp, count in counts.items():
            entry = seen[(recording.view, fp)]
            entry.count = max(entry.count, count)
    return seen


def _most_time(seen: dict[tuple[str, str], _Seen]) -> list[tuple[str, str]]:
    """Each view's statement holding most of its DB time (SELECTs only)."""
    best: dict[str, tuple[float, str]] = {}
    for (view, fp), entry in seen.items():
        if is_select(entry.sql) and entry.ms > best.get(view, (-1.0, ""))[0]:
            best[view] = (entry.ms, fp)
    return sorted((view, fp) for view, (_ms, fp) in best.items())
