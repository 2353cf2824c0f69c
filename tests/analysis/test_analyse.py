"""analyse(): one report per view, shown as the persona whose queries grow the most."""

from __future__ import annotations

from perfkit.analysis.analyse import analyse
from perfkit.analysis.fixes import django_relations
from perfkit.analysis.report import N_PLUS_ONE, O_N_QUERIES, UNUSED_EAGER_LOAD
from perfkit.recording import EagerLoad, EagerUse, Recording
from tests.analysis.factories import query, recording

LIST = 'SELECT "demo_story"."id" FROM "demo_story"'
AUTHOR = 'SELECT "demo_author"."id" FROM "demo_author" WHERE "demo_author"."id" = %s'
SESSION = 'SELECT "django_session"."session_data" FROM "django_session" WHERE "session_key" = %s'


def _as(persona: str | None, size: int, rows: int, extra: int = 0) -> Recording:
    """A list of ``rows`` rows, each row's author looked up, after ``extra`` session reads."""
    queries = [query(SESSION, params="s")] * extra
    queries += [query(LIST, rows=rows), *(query(AUTHOR, params=f"a{i}") for i in range(rows))]
    made = recording("my_stories", *queries, size=str(size))
    if persona is not None:
        made.labels["persona"] = persona
    return made


def _report(recordings: list[Recording]):
    (view,) = analyse(recordings, source="test", relations=django_relations()).views
    return view


def test_the_persona_whose_queries_grow_is_shown_and_the_others_kept_in_brief() -> None:
    # Anonymous sees the public three rows at every size; the user owns half of n.
    recordings = [_as("anonymous", n, 3) for n in (10, 40)]
    recordings += [_as("user", n, n // 2, extra=1) for n in (10, 40)]
    view = _report(recordings)
    assert view.persona == "user"
    assert view.flags[:2] == [O_N_QUERIES, N_PLUS_ONE]
    assert [s.queries_max for s in view.sizes] == [7, 22]
    assert [(p.persona, p.verdict, p.queries_max, p.n_plus_one) for p in view.personas] == [
        ("user", "O(n)", 22, 1),
        ("anonymous", "O(1)", 4, 0),
    ]


def test_of_personas_that_grow_alike_the_first_requested_is_shown() -> None:
    recordings = [
        _as(persona, n, n, extra=int(persona != "anonymous"))
        for n in (10, 40)
        for persona in ("anonymous", "staff")
    ]
    view = _report(recordings)
    assert view.persona == "anonymous"
    assert [p.persona for p in view.personas] == ["anonymous", "staff"]
    assert [s.queries_max for s in view.sizes] == [11, 41]


def test_requests_without_a_persona_are_one_report_without_a_breakdown() -> None:
    view = _report([_as(None, n, n) for n in (10, 40)])
    assert view.persona is None and view.personas == []
    assert N_PLUS_ONE in view.flags


def test_an_eager_load_no_persona_reads_flags_the_view_and_one_that_reads_it_clears_it() -> None:
    def tracked(persona: str, read: bool) -> Recording:
        made = _as(persona, 10, 0)
        site = "demo/views.py:9 in stories"
        load = EagerLoad("select_related", "author", "author", "demo.Story", site, 3, 3, read)
        made.eager = EagerUse((load,))
        return made

    unread = _report([tracked("anonymous", False), tracked("staff", False)])
    assert UNUSED_EAGER_LOAD in unread.flags
    assert [u.call() for u in unread.unused_eager_loads] == ['select_related("author")']
    staff_reads = _report([tracked("anonymous", False), tracked("staff", True)])
    assert UNUSED_EAGER_LOAD not in staff_reads.flags and not staff_reads.unused_eager_loads
