"""``perfkit bench``: exercise a site's views in-process at several data sizes and report."""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from perfkit import shipped
from perfkit.bench.runner import REQUEST_SECONDS
from perfkit.bench.session import DEFAULT_REPEAT, DEFAULT_WARMUP
from perfkit.bench.session import DEFAULT_SIZES as SIZES
from perfkit.commands.numbers import number, whole
from perfkit.commands.paths import check_directory, check_file, reported_as
from perfkit.errors import UsageError
from perfkit.output import write_text

if TYPE_CHECKING:
    from rich.console import Console

    from perfkit.bench.session import BenchResult


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "bench",
        help="run a Django project's views in-process at several data sizes and report per view",
        description="With no --settings, benchmarks the bundled demo site.",
    )
    parser.add_argument(
        "--settings",
        metavar="MODULE",
        help="your project's settings module; run from the project's directory (as manage.py)",
    )
    parser.add_argument(
        "--scenario",
        metavar="PATH|NAME",
        help="a bench scenario file, or a shipped one's name (demo, template)",
    )
    parser.add_argument(
        "--sizes", help=f"data sizes, comma-separated ({DEFAULT_SIZES}, or the scenario's SIZES)"
    )
    parser.add_argument(
        "--repeat",
        type=whole(1, 1000),
        help=f"measured requests per URL and size ({DEFAULT_REPEAT})",
    )
    parser.add_argument(
        "--warmup",
        type=whole(0, 1000),
        help=f"warm-up requests per URL and size ({DEFAULT_WARMUP})",
    )
    parser.add_argument(
        "--login",
        metavar="PERSONAS",
        help="who requests each view, comma-separated: anonymous, user, staff, superuser (users "
        "bench creates) or usernames; each view as each one it serves (all four; none: "
        "anonymous only)",
    )
    parser.add_argument(
        "--output", default="perfkit-report", help="directory for the report (perfkit-report)"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the report as JSON here")
    parser.add_argument("--html", metavar="PATH", help="also write a self-contained HTML report")
    parser.add_argument("--markdown", metavar="PATH", help="also write the report as Markdown")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile each flagged view's slowest request with pyinstrument (HTML in --output)",
    )
    parser.add_argument(
        "--explain",
        choices=("off", "plan", "analyze"),
        default="plan",
        help="query plans of the statements in N+1 groups, growing with the data or holding "
        "most of a view's DB time, with index advice: plan (EXPLAIN, the default), analyze "
        "(runs them: EXPLAIN ANALYZE) or off",
    )
    parser.add_argument(
        "--save-baseline", metavar="PATH", help="save the run as a baseline for perfkit gate"
    )
    parser.add_argument(
        "--request-timeout",
        type=number(0, 3600, above=True),
        metavar="SECONDS",
        help=f"stop and report a request that runs longer ({REQUEST_SECONDS:g})",
    )
    parser.add_argument(
        "--allow-network",
        action="store_true",
        help="let views reach hosts beyond this machine (refused by default, and reported)",
    )
    parser.set_defaults(run=run)


#: --sizes when neither it nor the scenario gives them.
DEFAULT_SIZES = ",".join(map(str, SIZES))


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise UsageError(
            f"--sizes {text!r} is not a list of whole numbers; try --sizes {DEFAULT_SIZES}"
        ) from None
    if len(sizes) < 2 or sizes[0] < 1:
        raise UsageError(
            f"--sizes {text!r} needs two or more sizes above 0; try --sizes {DEFAULT_SIZES}"
        )
    return sizes


def _check_profiler(args: argparse.Namespace) -> None:
    if args.profile:
        try:
            import pyinstrument  # noqa: F401
        except ImportError:
            raise UsageError("--profile needs pyinstrument: pip install pyinstrument") from None


def _check_paths(args: argparse.Namespace) -> None:
    """Every file the run will write can be written: checked before any work is done.

    A baseline's missing directories are made when it is saved; the other reports need
    their directory to exist.
    """
    check_directory(Path(args.output), "--output")
    for flag in ("json", "html", "markdown", "save_baseline"):
        value = getattr(args, flag)
        if value is not None:
            check_file(Path(value), "--" + flag.replace("_", "-"), flag == "save_baseline")


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from perfkit.bench.session import BenchOptions
    from perfkit.bench.session import run as bench

    options = BenchOptions(
        settings=args.settings,
        scenario=shipped.scenario("bench", args.scenario, "--scenario") if args.scenario else None,
        sizes=parse_sizes(args.sizes) if args.sizes else None,
        repeat=args.repeat,
        warmup=args.warmup,
        login=args.login,
        request_timeout=args.request_timeout,
        allow_network=args.allow_network,
        profile=args.profile,
        explain=args.explain,
    )
    _check_profiler(args)
    _check_paths(args)
    if threading.current_thread() is threading.main_thread():
        # A CI job's timeout sends SIGTERM: stop as Ctrl-C does, so the throw-away test
        # databases are dropped and the last run's files are left as they were.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    output = Path(args.output)
    console = Console()
    result = bench(options, output, console)
    _write(result, args, output.resolve(), console)
    return 0


def _write(result: BenchResult, args: argparse.Namespace, output: Path, console: Console) -> None:
    """The terminal report, bench.json, and whichever of --json/--html/--markdown was asked."""
    from perfkit.renderers import bench_json, bench_terminal

    report = result.report
    with reported_as("--output", output):
        bench_json.write(report, output / "bench.json")
    bench_terminal.render(report, console)
    if args.json:
        with reported_as("--json", Path(args.json)):
            bench_json.write(report, Path(args.json))
    if args.html:
        from perfkit.renderers import bench_html

        with reported_as("--html", Path(args.html)):
            bench_html.write(report, Path(args.html))
    if args.markdown:
        from perfkit.renderers import bench_markdown

        with reported_as("--markdown", Path(args.markdown)):
            write_text(Path(args.markdown), bench_markdown.render(report))
    if args.save_baseline:
        from perfkit.gate import baseline

        with reported_as("--save-baseline", Path(args.save_baseline)):
            baseline.save(baseline.build(report, result.recordings), Path(args.save_baseline))
    console.print(f"Report written to {output / 'bench.json'}", highlight=False)
