"""The terminal report: readable at 100 columns, the flagged view and its fix in plain sight."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from rich.cells import cell_len
from rich.console import Console

from perfkit.analysis.report import Report
from perfkit.renderers import bench_terminal
from perfkit.renderers.formatting import REPEATED_SHOWN, shorten_middle
from tests.renderers.conftest import PAYLOADS, build, candidate, hostile


def text_of(report: Report, width: int = 100) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    bench_terminal.render(report, console)
    return console.export_text()


def test_every_line_fits_100_columns_and_the_fix_is_shown(report: Report) -> None:
    text = text_of(report)
    assert max(cell_len(line) for line in text.splitlines()) <= 100
    row = next(line for line in text.splitlines() if line.lstrip().startswith("news:story_list "))
    assert row.rstrip().endswith("O(n) N+1")
    assert "news:story_list  queries ≈ 1 + 2·n" in text
    assert '50× SELECT "news_author"."id"' in text
    assert "at news/templates/news/list.html:7 via news/views.py:41 in story_list" in text
    assert "after a query that returned 50 rows from news_story" in text
    assert 'fix: select_related("author")' in text
    assert "Repeated lookups: the same count at every size, not growth" in text
    sidebar = next(line for line in text.splitlines() if line.lstrip().startswith("news:sidebar "))
    assert sidebar.rstrip().endswith("repeat")
    assert "fix: 40× the same lookup at every size" in text


def test_long_hostile_strings_wrap_and_markup_stays_literal() -> None:
    text = text_of(hostile())
    assert max(cell_len(line) for line in text.splitlines()) <= 100
    assert "[bold]markup[/bold]" in " ".join(text.split())
    assert "<script>window.__pwned=1</script>" in text
    assert all(p.split()[0] in text for p in PAYLOADS)


def test_caching_candidates_ranked_with_tool_saving_and_invalidation(report: Report) -> None:
    second = candidate("news:tags", "ETag / conditional GET", "changes rarely", 40.0)
    text = text_of(replace(report, caching_candidates=[*report.caching_candidates, second]))
    first_at, second_at = text.index("1. news:front"), text.index("2. news:tags")
    assert first_at < second_at
    block = text[first_at:second_at]
    assert "tool: @cache_page" in block
    assert "saves ~120.0 ms over 10 requests (60.0 ms of it in the database" in block
    assert "invalidate on writes to: news_story, news_tag" in block
    assert "written by: news:story_add" in block
    assert "tool: ETag / conditional GET" in text[second_at:]


def test_repeated_queries_skipped_urls_and_profiles_are_listed(report: Report) -> None:
    text = text_of(report)
    assert "news:front  10× in 10 requests, 3.50 ms in all" in text
    assert "/news/<slug:slug>/edit/  needs a login; --login none" in text
    assert "news:story_list  profiles/news-story_list.html" in text


def test_an_unflagged_report_says_so_and_has_no_findings() -> None:
    quiet = build()
    quiet.views = [v for v in quiet.views if not v.flags]
    quiet.caching_candidates, quiet.repeated_queries, quiet.skipped = [], [], []
    text = text_of(quiet)
    assert "No view is flagged" in text
    assert "N+1 queries" not in text and "Caching candidates" not in text


def test_only_the_first_repeated_queries_are_listed(report: Report) -> None:
    first = report.repeated_queries[0]
    more = [replace(first, view=f"news:v{i}") for i in range(REPEATED_SHOWN + 2)]
    text = text_of(replace(report, repeated_queries=more))
    assert f"news:v{REPEATED_SHOWN - 1}  10×" in text
    assert f"news:v{REPEATED_SHOWN}  10×" not in text
    assert "… and 2 more in the JSON report" in text


def test_unserved_views_refused_calls_skips_and_changes_are_listed(report: Report) -> None:
    text = text_of(report)
    unserved = text.split("Views not served: left out of the analysis", 1)[1]
    assert "news:archive  answered 500: KeyError: 'TIMEOUT' at news/context_processors.py:12" in (
        unserved
    )
    assert "news:weather  calls api.example.com on GET" in text
    assert "news.Profile  made no row: IntegrityError" in text
    changes = text.split("What perfkit changed in the project's settings for this run", 1)[1]
    assert "EMAIL_BACKEND: mail kept in memory" in changes


LONG = "admin:accounting_invoicelineadjustment_changelist_with_a_very_long_name"


@pytest.mark.parametrize("width", [80, 120])
def test_at_80_and_120_columns_no_flag_is_cut_and_long_names_shorten_in_the_middle(
    width: int,
) -> None:
    report = build(slow=LONG)
    text = text_of(report, width)
    table = text.split("flags: O(n)", 1)[0]
    assert max(cell_len(line) for line in table.splitlines()) <= width
    row = next(line for line in table.splitlines() if line.lstrip().startswith("admin:acc"))
    assert row.rstrip().endswith("O(n) N+1")
    name = row.split()[0]
    assert "…" in name and name.endswith("very_long_name"[-4:])
    assert LONG.startswith(name.split("…")[0]) and LONG.endswith(name.split("…")[1])
    # Each view is one line per size: nothing wrapped inside a name.
    sizes = [line for line in table.splitlines() if line.strip().startswith(("10 ", "50 "))]
    assert len(sizes) == len(report.views)


def test_a_name_that_fits_is_kept_whole() -> None:
    assert shorten_middle("news:story_list", 16) == "news:story_list"
    assert shorten_middle("abcdefghij", 7) == "abc…hij"
    assert len(shorten_middle(LONG, 30)) == 30


def test_outbound_flags_are_explained_only_when_a_view_has_one(report: Report) -> None:
    text = " ".join(text_of(report).split())
    row = next(line for line in text_of(report).splitlines() if "news:weather " in line)
    assert row.rstrip().endswith("N+1 API http")
    assert "N+1 API one HTTP call per row · http mostly waits on HTTP calls" in text
    assert "50× GET api.example.com/v#/forecast/#" in text
    assert "calls per size: n=10: 10, n=50: 50" in text
    quiet = replace(report, views=[v for v in report.views if v.view != "news:weather"])
    assert "HTTP call" not in text_of(quiet)


def test_unused_eager_loads_name_the_lookup_the_line_and_the_fix(report: Report) -> None:
    text = " ".join(text_of(report).split())
    row = next(line for line in text_of(report).splitlines() if "news:loan_desk " in line)
    assert row.rstrip().endswith("eager")
    assert "eager loads rows it never reads" in text
    assert "Eager loads nobody reads" in text
    assert 'select_related("member") on news.Loan: 25 rows never read' in text
    assert 'fix: remove "member" from select_related at news/templates' in text
    quiet = replace(report, views=[v for v in report.views if v.view != "news:loan_desk"])
    assert "never reads" not in text_of(quiet)
