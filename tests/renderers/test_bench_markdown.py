"""The Markdown report: tables keep their shape and every value shows as written."""

from __future__ import annotations

import html
import re
from dataclasses import replace

from markdown_it import MarkdownIt

from perfkit.analysis.report import Report
from perfkit.renderers import bench_markdown
from perfkit.renderers.formatting import REPEATED_LISTED
from tests.renderers.conftest import build, hostile

#: CommonMark with raw HTML allowed, as GitHub parses it, plus GFM tables.
PARSER = MarkdownIt("commonmark").enable("table")


def rows(rendered: str, heading: str) -> list[list[str]]:
    """The body cells of the first table after ``heading``, as plain text."""
    table = rendered.split(heading, 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", cell))
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_pipes_and_backticks_keep_the_table_shape() -> None:
    sql = "SELECT a || `b` FROM ``t`` WHERE x = '|'"
    report = build(slow="news:a|b", sql=sql, callsite="v.py:1 | `x`")
    rendered = PARSER.render(bench_markdown.render(report))
    views = rows(rendered, "<h2>Views</h2>")
    assert len(views) == 14 and all(len(cells) == 9 for cells in views)
    assert [cells[0] for cells in views][2:4] == ["news:a|b", "news:a|b"]
    repeated = rows(rendered, "<h3>Repeated identical queries across requests</h3>")
    assert repeated[0][4] == sql.replace("news_author", "news_tag")
    assert repeated[0][5] == "v.py:1 | `x`"


def test_text_escapes_markdown_and_html() -> None:
    assert bench_markdown.text("a|b *c* _d_ <e> [f](g) `h` \\i") == (
        "a\\|b \\*c\\* \\_d\\_ \\<e\\> \\[f\\](g) \\`h\\` \\\\i"
    )
    assert bench_markdown.code("a `b` c") == "`` a `b` c ``"
    assert bench_markdown.code("x|y", cell=True) == "`x\\|y`"


def test_hostile_strings_render_as_text_not_html() -> None:
    source = bench_markdown.render(hostile())
    rendered = PARSER.render(source)
    assert not re.search(r"<(script|img|svg|iframe)", rendered)
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in rendered
    assert "[bold]markup[/bold]" in rendered
    hrefs = re.findall(r'href="([^"]*)"', rendered)
    assert len(hrefs) == 1 and not hrefs[0].lower().startswith("javascript:")


def test_findings_name_the_formula_the_fix_and_the_ranking(report: Report) -> None:
    source = bench_markdown.render(report)
    assert "- **news:story\\_list**: `queries ≈ 1 + 2·n` (n=10: 21, n=50: 101)" in source
    assert '  - fix: `select_related("author")`' in source
    assert "### Repeated lookups: the same count at every size, not growth" in source
    assert "- fix: `40× the same lookup at every size: fetch it once" in source
    assert "| 1 | news:front | `@cache_page` | 120.0 | 60.0 | `news_story`, `news_tag` |" in source
    assert "| `/news/<slug:slug>/edit/` | needs a login; --login none |" in source
    assert "[profiles/news-story\\_list.html](profiles/news-story_list.html)" in source


def test_unserved_views_and_refused_calls_are_tables(report: Report) -> None:
    rendered = PARSER.render(bench_markdown.render(report))
    assert rows(rendered, "Views not served") == [
        [
            "news:archive",
            "answered 500: KeyError: 'TIMEOUT' at news/context_processors.py:12",
            "10/10",
        ]
    ]
    assert rows(rendered, "Outbound calls refused") == [
        [
            "news:weather",
            "api.example.com",
            "GET",
            "/v#/forecast/#",
            "news/templates/news/list.html:7 via news/views.py:41 in story_list",
        ]
    ]
    assert ["news.Profile", "made no row: IntegrityError"] in rows(rendered, "Skipped")
    assert "<li>EMAIL_BACKEND: mail kept in memory</li>" in rendered


def test_the_first_repeated_queries_are_a_table_and_the_rest_are_counted(report: Report) -> None:
    first = report.repeated_queries[0]
    more = [replace(first, view=f"news:v{i}") for i in range(REPEATED_LISTED + 3)]
    rendered = PARSER.render(bench_markdown.render(replace(report, repeated_queries=more)))
    listed = rows(rendered, "<h3>Repeated identical queries across requests</h3>")
    assert [cells[0] for cells in listed] == [f"news:v{i}" for i in range(REPEATED_LISTED)]
    assert "… and 3 more in the JSON report." in rendered


def test_unused_eager_loads_are_listed_with_their_fix(report: Report) -> None:
    text = bench_markdown.render(report)
    assert "### Eager loads nobody reads" in text
    assert '- **news:loan\\_desk**: `select_related("member")` on `news.Loan`' in text
    assert '  - fix: `remove "member" from select_related at ' in text
