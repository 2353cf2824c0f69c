"""The HTML report: one offline file, shown in the real headless Chromium, and no XSS."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

from perfkit import output
from perfkit.analysis.report import Report
from perfkit.renderers import bench_html
from perfkit.renderers.formatting import REPEATED_LISTED
from tests.renderers.conftest import PAYLOADS, hostile

CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{escape(output.CSP)}">'


class Page:
    """A page opened from a file, with every console error, page error and stray request."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"pageerror {error}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed {r.url}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri())

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def stray_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(("file:", "data:"))]


@pytest.fixture
def open_page(browser: Any, tmp_path: Path) -> Iterator[Any]:
    pages: list[Page] = []

    def open_(text: str) -> Page:
        path = tmp_path / f"report{len(pages)}.html"
        path.write_text(text, encoding="utf-8")
        pages.append(Page(browser, path))
        return pages[-1]

    yield open_
    for page in pages:
        page.page.close()


def test_the_file_needs_nothing_from_outside(report: Report) -> None:
    text = bench_html.render(report)
    assert CSP_META in text
    assert "<script" not in text.lower()
    assert "<link" not in text.lower() and "@import" not in text and "url(" not in text
    links = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', text)
    assert links == ["profiles/news-story_list.html"]
    assert 'xmlns="http' not in text


def test_chromium_shows_flagged_views_with_flags_and_fit(report: Report, open_page: Any) -> None:
    shown = open_page(bench_html.render(report))
    page = shown.page
    story = page.locator('article.finding[data-view="news:story_list"]')
    assert story.is_visible()
    assert story.locator(".flag").all_inner_texts() == ["O(n) queries", "N+1"]
    assert story.locator(".formula").inner_text() == "queries ≈ 1 + 2·n"
    assert 'select_related("author")' in story.locator(".fix").inner_text()
    assert story.locator("a").get_attribute("href") == "profiles/news-story_list.html"
    front = page.locator('article.finding[data-view="news:front"]')
    assert front.is_visible() and front.locator(".flag").inner_text() == "caching candidate"
    assert page.locator('article.finding[data-view="news:story_list_fixed"]').count() == 0
    sidebar = page.locator('article.finding[data-view="news:sidebar"]')
    assert sidebar.locator(".flag").inner_text() == "repeated lookup"
    assert "40× the same lookup" in sidebar.locator(".fix").inner_text()
    weather = page.locator('article.finding[data-view="news:weather"]')
    assert weather.locator(".flag").all_inner_texts() == ["N+1 API calls", "outbound-bound"]
    assert "GET api.example.com/v#/forecast/#" in weather.inner_text()
    assert "batch endpoint" in weather.locator(".fix").first.inner_text()
    desk = page.locator('article.finding[data-view="news:loan_desk"]')
    assert desk.locator(".flag").inner_text() == "unused eager load"
    assert 'select_related("member") on news.Loan' in desk.inner_text()
    assert desk.locator(".fix").inner_text().startswith('remove "member" from select_related')
    assert page.locator("section#findings article").count() == 5
    charts = page.locator("svg")
    assert charts.count() == 1 + len(report.views)
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 50
    assert page.locator("svg rect.bar.flagged").count() == 5
    assert shown.problems == [] and shown.stray_requests() == []


def test_hostile_strings_stay_text_even_without_the_csp(open_page: Any) -> None:
    text = bench_html.render(hostile())
    assert "<script" not in text.lower()
    assert not re.search(r"<(img|svg onload|iframe)", text)
    without_csp = text.replace(CSP_META, "")
    assert "Content-Security-Policy" not in without_csp
    shown = open_page(without_csp)
    page = shown.page
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("body script, body img, body iframe").count() == 0
    has_handler = "[...document.querySelectorAll('*')].some(e => [...e.attributes]"
    has_handler += ".some(a => a.name.startsWith('on')))"
    assert page.evaluate(has_handler) is False
    body = page.inner_text("body")
    for payload in PAYLOADS:
        assert payload in body
    assert page.eval_on_selector_all("a", "links => links.map(a => a.protocol)") == ["file:"]
    assert shown.problems == [] and shown.stray_requests() == []


def test_the_csp_would_stop_a_script_that_slipped_through(report: Report, open_page: Any) -> None:
    slipped = "<script>window.__pwned=1</script><img src=x onerror=window.__pwned=1>"
    shown = open_page(bench_html.render(report).replace("</body>", slipped + "</body>"))
    assert shown.page.evaluate("typeof window.__pwned") == "undefined"
    assert any("Content Security Policy" in problem for problem in shown.problems)
    assert shown.stray_requests() == []


def test_write_puts_the_page_in_a_file(report: Report, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    bench_html.write(report, path)
    assert path.read_text(encoding="utf-8") == bench_html.render(report)


def test_unserved_views_refused_calls_and_changes_are_shown(report: Report, open_page: Any) -> None:
    page = open_page(bench_html.render(report)).page
    assert "answered 500: KeyError: 'TIMEOUT'" in page.locator("section#failed").inner_text()
    assert "api.example.com" in page.locator("section#refused").inner_text()
    assert "news.Profile" in page.locator("section#skipped").inner_text()
    assert page.locator("section#changes li").all_inner_texts() == [
        "EMAIL_BACKEND: mail kept in memory"
    ]


def test_the_first_repeated_queries_are_listed_and_the_rest_counted(report: Report) -> None:
    first = report.repeated_queries[0]
    more = [replace(first, view=f"news:v{i}") for i in range(REPEATED_LISTED + 3)]
    page = bench_html.render(replace(report, repeated_queries=more))
    section = page.split('<section id="repeated">', 1)[1].split("</section>", 1)[0]
    assert section.count('<td class="text view">') == REPEATED_LISTED
    assert "… and 3 more in the JSON report." in section
