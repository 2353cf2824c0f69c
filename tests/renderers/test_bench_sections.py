"""One list of sections: terminal, Markdown and HTML list the same items in each section."""

from __future__ import annotations

import html
import io
import re
from typing import Any

from markdown_it import MarkdownIt
from rich.console import Console

from perfkit.analysis.report import Report
from perfkit.renderers import bench_html, bench_markdown, bench_sections, bench_terminal
from perfkit.renderers.bench_sections import Section
from perfkit.renderers.plan_formatting import finding_line, fixes
from tests.renderers.conftest import build

PARSER = MarkdownIt("commonmark").enable("table")


def plain(markup: str) -> str:
    """HTML as the text a reader sees, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def marks(key: str, item: Any) -> list[str]:
    """What shows that a section lists ``item``, whatever the format."""
    if key == bench_sections.O_N:
        return [item.view.view, item.fit.formula()]
    if key in (bench_sections.N_PLUS_ONE, bench_sections.LOOKUPS):
        return [item.view.view, *(text for g in item.groups for text in (g.callsite, g.fix))]
    if key == bench_sections.N_PLUS_ONE_API:
        calls = item.calls
        return [item.view.view, *(t for c in calls for t in (c.call(), c.callsite, c.fix))]
    if key == bench_sections.OUTBOUND:
        waiting = item.outbound
        return [item.view.view, waiting.slowest_call, waiting.slowest_callsite, waiting.fix]
    if key == bench_sections.UNUSED_EAGER:
        loads = item.loads
        return [item.view.view, *(t for u in loads for t in (u.call(), u.callsite, u.fix))]
    if key == bench_sections.CACHING:
        return [item.view, item.tool]
    if key == bench_sections.REPEATED:
        return [item.view, item.callsite]
    if key == bench_sections.FAILED:
        return [item.view, item.verdict]
    if key == bench_sections.REFUSED:
        return [item.view, item.host, *item.paths, item.callsite]
    if key == bench_sections.PLANS:
        findings = [finding_line(f) for f in item.findings]
        return [*item.views, item.callsite, *findings, *fixes(item), "Seq Scan on news_story"]
    if key == bench_sections.SKIPPED:
        return [item.subject, item.reason]
    if key == bench_sections.PROFILES:
        return [item.view.view, item.path]
    return [item]


def by_title(text: str, listed: list[Section]) -> dict[str, str]:
    """Each section's part of ``text``: from its title to the next section's."""
    parts = {}
    for section, following in zip(listed, [*listed[1:], None], strict=True):
        after = text.split(section.title, 1)[1]
        parts[section.key] = after.split(following.title, 1)[0] if following else after
    return parts


def terminal_parts(report: Report, listed: list[Section]) -> dict[str, str]:
    console = Console(width=200, record=True, file=io.StringIO())
    bench_terminal.render(report, console)
    return by_title(" ".join(console.export_text().split()), listed)


def markdown_parts(report: Report, listed: list[Section]) -> dict[str, str]:
    return by_title(plain(PARSER.render(bench_markdown.render(report))), listed)


def html_parts(report: Report, listed: list[Section]) -> dict[str, str]:
    """A listed section's part is its <section>; a per-view one's, every view's card."""
    page = bench_html.render(report)
    cards = " ".join(re.findall(r'<article class="finding".*?</article>', page, re.S))
    parts = {}
    for section in listed:
        if section.key in bench_html.LISTED:
            found = re.search(rf'<section id="{section.key}">(.*?)</section>', page, re.S)
            parts[section.key] = plain(found.group(1)) if found else ""
        else:
            parts[section.key] = plain(cards)
    return parts


def test_every_kind_of_section_is_in_the_report() -> None:
    keys = [section.key for section in bench_sections.sections(build())]
    assert keys == [
        bench_sections.O_N,
        bench_sections.N_PLUS_ONE,
        bench_sections.N_PLUS_ONE_API,
        bench_sections.LOOKUPS,
        bench_sections.OUTBOUND,
        bench_sections.UNUSED_EAGER,
        bench_sections.CACHING,
        bench_sections.REPEATED,
        bench_sections.FAILED,
        bench_sections.REFUSED,
        bench_sections.PLANS,
        bench_sections.SKIPPED,
        bench_sections.PROFILES,
        bench_sections.CHANGES,
    ]


def test_terminal_markdown_and_html_list_the_same_items_in_each_section() -> None:
    report = build()
    listed = bench_sections.sections(report)
    formats = {
        "terminal": terminal_parts(report, listed),
        "markdown": markdown_parts(report, listed),
        "html": html_parts(report, listed),
    }
    for name, parts in formats.items():
        for section in listed:
            for item in section.items:
                for mark in marks(section.key, item):
                    assert mark in parts[section.key], (name, section.key, mark)


def test_terminal_and_markdown_keep_the_sections_order_of_items() -> None:
    report = build()
    listed = bench_sections.sections(report)
    for parts in (terminal_parts(report, listed), markdown_parts(report, listed)):
        for section in listed:
            text = parts[section.key]
            at = [text.index(marks(section.key, item)[0]) for item in section.items]
            assert at == sorted(at), section.key


def test_html_shows_one_card_per_listed_view_most_serious_first() -> None:
    report = build()
    page = bench_html.render(report)
    cards = re.findall(r'<article class="finding" data-view="([^"]*)"', page)
    found = bench_sections.by_view(report, bench_sections.sections(report))
    assert (
        cards
        == [f.view.view for f in found]
        == ["news:story_list", "news:weather", "news:sidebar", "news:front", "news:loan_desk"]
    )
