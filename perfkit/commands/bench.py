"""``perfkit bench``: exercise a site's views in-process at several data sizes and report."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path
from typing import Any

from perfkit.commands.errors import UsageError

#: Paginated lists stop growing once a page is full; 10 and 25 rows are the usual page sizes.
#: 5 is below the smaller and 30 above the larger, so a list's row count (and any per-row
#: query) still grows between the two sizes.
DEFAULT_SIZES = "5,30"
DEFAULT_REPEAT = 5
DEFAULT_WARMUP = 1


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
    parser.add_argument("--scenario", metavar="PATH", help="a scenario file (see scenarios/)")
    parser.add_argument(
        "--sizes", help=f"data sizes, comma-separated ({DEFAULT_SIZES}, or the scenario's SIZES)"
    )
    parser.add_argument(
        "--repeat", type=int, help=f"measured requests per URL and size ({DEFAULT_REPEAT})"
    )
    parser.add_argument(
        "--warmup", type=int, help=f"warm-up requests per URL and size ({DEFAULT_WARMUP})"
    )
    parser.add_argument(
        "--login",
        metavar="superuser|none|USERNAME",
        help="who requests views that need a login (superuser: one bench creates)",
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
        "--save-baseline", metavar="PATH", help="save the run as a baseline for perfkit gate"
    )
    parser.set_defaults(run=run)


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


def _check_counts(args: argparse.Namespace) -> None:
    if args.repeat is not None and args.repeat < 1:
        raise UsageError(f"--repeat {args.repeat} must be 1 or more")
    if args.warmup is not None and args.warmup < 0:
        raise UsageError(f"--warmup {args.warmup} must be 0 or more")
    if args.profile:
        try:
            import pyinstrument  # noqa: F401
        except ImportError:
            raise UsageError("--profile needs pyinstrument: pip install pyinstrument") from None


def _first(*values: Any) -> Any:
    return next(v for v in values if v is not None)


def run(args: argparse.Namespace) -> int:
    sizes = parse_sizes(args.sizes) if args.sizes else None
    _check_counts(args)
    output = Path(args.output)
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot create --output {output}: {error.strerror}") from None
    store = output.resolve() / "recordings.jsonl"
    store.unlink(missing_ok=True)

    from rich.console import Console

    from perfkit.bench import demo, plan, project, scenario

    if args.settings:
        project.configure(args.settings, f"jsonl://{store}", Path.cwd())
        project.check_urlconf()
        databases: contextlib.AbstractContextManager[None] = project.test_databases()
    else:
        demo.setup_demo(f"jsonl://{store}")
        databases = contextlib.nullcontext()
    loaded = scenario.load(Path(args.scenario)) if args.scenario else None
    sizes = _first(sizes, loaded and loaded.sizes, parse_sizes(DEFAULT_SIZES))
    repeat = _first(args.repeat, loaded and loaded.repeat, DEFAULT_REPEAT)
    warmup = _first(args.warmup, loaded and loaded.warmup, DEFAULT_WARMUP)
    login = _first(args.login, loaded and loaded.login, plan.SUPERUSER)

    console = Console()
    with databases:
        if args.settings:
            work = plan.project_plan(loaded, login, Path.cwd())
        else:
            work = plan.demo_plan(loaded, login)
        report, recordings = _measure(work, sizes, repeat, warmup, console, args.settings)
        if args.profile:
            from perfkit.bench.profile import profile_flagged

            with console.status("profiling the flagged views"):
                profile_flagged(report, recordings, work, output)
    _write(report, recordings, args, output, console)
    return 0


def _measure(
    work: Any, sizes: list[int], repeat: int, warmup: int, console: Any, settings: str | None
) -> tuple[Any, list[Any]]:
    """Run every size with a progress bar; the analysed report and the measured recordings."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from perfkit.analysis import analyse
    from perfkit.bench import runner
    from perfkit.store import writer

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task("making data", total=None)

        def on_size(size: int, found: list[Any]) -> None:
            left = len(sizes) - sizes.index(size)
            done = progress.tasks[0].completed
            progress.update(task, total=done + left * len(found) * (warmup + repeat))

        def on_request(size: int, target: Any) -> None:
            progress.update(task, advance=1, description=f"n={size} {target.name}")

        try:
            recordings = runner.run(
                sizes,
                work.populate,
                work.targets,
                repeat=repeat,
                warmup=warmup,
                on_size=on_size,
                on_request=on_request,
            )
        finally:
            writer.flush()
    report = analyse(recordings, source=settings or "perfkit.demo")
    report.skipped = work.skipped
    return report, recordings


def _write(
    report: Any, recordings: list[Any], args: argparse.Namespace, output: Path, console: Any
) -> None:
    """The terminal report, bench.json, and whichever of --json/--html/--markdown was asked."""
    from perfkit.renderers import json, terminal

    terminal.render(report, console)
    json.write(report, output / "bench.json")
    if args.json:
        json.write(report, Path(args.json))
    if args.html:
        from perfkit.renderers import html

        html.write(report, Path(args.html))
    if args.markdown:
        from perfkit.renderers import markdown

        Path(args.markdown).write_text(markdown.render(report))
    if args.save_baseline:
        from perfkit.gate import baseline

        baseline.save(baseline.build(report, recordings), Path(args.save_baseline))
    console.print(f"Report written to {output / 'bench.json'}", highlight=False)
