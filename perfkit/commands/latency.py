"""``perfkit latency``: browser versus curl per page, split into backend, network, frontend."""

from __future__ import annotations

import argparse
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

from perfkit.commands.numbers import whole
from perfkit.commands.paths import check_options, reported_as
from perfkit.errors import UsageError
from perfkit.latency.measurements import COLD, WARM


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "latency",
        help="time pages in headless Chromium and with plain HTTP: backend, network, frontend",
    )
    parser.add_argument(
        "urls", nargs="*", metavar="URL", help="pages to measure (default: the bundled demo site)"
    )
    parser.add_argument("--runs", type=whole(1, 1000), default=5, help="measured runs per mode (5)")
    parser.add_argument(
        "--cold", action="store_true", help="first views: a fresh browser context, empty cache"
    )
    parser.add_argument("--warm", action="store_true", help="repeat views: the cache is warm")
    parser.add_argument(
        "--browser",
        metavar="PATH",
        help="Chromium to drive (default: $PERFKIT_CHROMIUM, else chromium, chromium-browser "
        "or google-chrome on PATH)",
    )
    parser.add_argument(
        "--stack-dir",
        default="perfkit-stack",
        help="with no URL, measure the demo on the stack running from this directory if it is "
        "up (perfkit-stack), else start the demo under gunicorn",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the report as JSON")
    parser.add_argument("--html", metavar="PATH", help="also write a self-contained HTML report")
    parser.set_defaults(run=run)


def check_urls(urls: list[str]) -> list[str]:
    """The URLs as given, once each and in order; anything but http(s)://host… is an error."""
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"{url!r} is not an http:// or https:// URL with a host")
    return list(dict.fromkeys(urls))


def modes(cold: bool, warm: bool) -> list[str]:
    """The browser modes to run: the ones asked for, both when neither flag is given."""
    if cold == warm:
        return [COLD, WARM]
    return [COLD] if cold else [WARM]


def run(args: argparse.Namespace) -> int:
    urls = check_urls(args.urls)
    check_options(args, "json", "html")

    from rich.console import Console

    from perfkit.latency import chromium, demo_server, measure
    from perfkit.latency.browser import Chromium
    from perfkit.latency.measurements import LatencyReport
    from perfkit.renderers import latency_html, latency_json, latency_terminal

    path = chromium.find(args.browser)
    console = Console()
    with ExitStack() as stack:
        status = stack.enter_context(console.status("starting"))
        target = "given URLs"
        if not urls:
            site = demo_server.running_stack(Path(args.stack_dir))
            if site is None:
                status.update("starting the demo site")
                site = stack.enter_context(demo_server.demo_site())
            urls, target = site.urls, site.description
        status.update("starting Chromium")
        browser = Chromium(path)
        stack.callback(browser.close)
        results = measure.measure(
            urls, args.runs, modes(args.cold, args.warm), browser, status.update
        )
        report = LatencyReport(target, args.runs, path, browser.version, results)
    latency_terminal.render(report, console)
    if args.json:
        with reported_as("--json", Path(args.json)):
            latency_json.write(report, Path(args.json))
    if args.html:
        with reported_as("--html", Path(args.html)):
            latency_html.write(report, Path(args.html))
    if report.failed:
        from perfkit.renderers.formatting import one_line

        # An address that cannot be reached is bad input, not a finding: exit 2, after the
        # URLs that could be measured have been reported and written.
        first = report.failed[0]
        raise UsageError(
            f"{len(report.failed)} of {len(report.results)} URL(s) could not be measured: "
            f"{first.url} ({one_line(first.error or '')}); check the address and that the "
            "site is up"
        )
    return 0
