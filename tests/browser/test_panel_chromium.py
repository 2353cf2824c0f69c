"""The perfkit panel in a real Chromium: the demo under gunicorn with the toolbar, clicked open."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from perfkit.latency.chromium import ARGS
from tests.servers import demo_env, serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = list(ARGS)
ROOT = Path(__file__).resolve().parents[2]
#: The README's picture of the panel is this test's screenshot, copied by hand from the
#: test's temporary folder: a test run never writes into the checkout.
SCREENSHOT = "panel.png"


def test_open_the_perfkit_panel_on_the_slow_list(tmp_path: Path) -> None:
    env = demo_env(tmp_path, f"jsonl://{tmp_path / 'store.jsonl'}", size=8)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings_toolbar",
        PYTHONPATH=os.pathsep.join(filter(None, (str(ROOT), env.get("PYTHONPATH")))),
    )
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "1",  # the toolbar keeps each request's panels in its worker's memory
        "--bind",
        "127.0.0.1:{port}",
        "perfkit.demo.wsgi:application",
    ]
    with serving(argv, env) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 860})
            page.goto(f"{base}/stories/slow/")
            page.reload()  # so the panel's history has the first request, once it is stored
            button = page.locator("#djdt-PerfkitPanel a")
            expect(button).to_contain_text("17 queries, 2 N+1 groups")
            button.click()
            content = page.locator("#PerfkitPanel .djdt-scroll")
            expect(content).to_contain_text("This request: demo:story_list_slow")
            groups = content.locator("#perfkit-n-plus-one tbody tr")
            expect(groups).to_have_count(2)
            expect(groups.first).to_be_visible()
            expect(groups.first).to_contain_text('select_related("author")')
            expect(groups.first).to_contain_text("story_list_slow.html:9")
            expect(groups.nth(1)).to_contain_text('prefetch_related("tags")')
            page.screenshot(path=tmp_path / SCREENSHOT)
        finally:
            browser.close()
    assert 0 < (tmp_path / SCREENSHOT).stat().st_size < 200_000
