"""``perfkit bench``: exercise a site's views in-process at several data sizes and report."""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import tempfile
import threading
from pathlib import Path
from typing import Any

from perfkit import labels, shipped
from perfkit.bench.runner import REQUEST_SECONDS
from perfkit.commands.numbers import number, whole
from perfkit.commands.paths import check_directory, check_file, reported_as
from perfkit.errors import UsageError
from perfkit.output import write_text

#: Paginated lists stop growing once a page is full; 10 and 25 rows are the usual page sizes.
#: 5 is below the smaller and 30 above the larger, so a list's row count (and any per-row
#: query) still grows between the two sizes.
DEFAULT_SIZES = "5,30"
#: Query counts are exact from one request; three give a median latency. A project of 250
#: routes makes some 2,000 requests at two sizes: more repeats is --repeat's choice.
DEFAULT_REPEAT = 3
DEFAULT_WARMUP = 1
#: The run's recordings, in --output: the last successful run's, until a new run has measured.
STORE = "recordings.jsonl"
#: Where a run that stopped on bad input leaves what it had measured.
INCOMPLETE = "recordings.incomplete.jsonl"


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


def _first(*values: Any) -> Any:
    return next(v for v in values if v is not None)


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
    sizes = parse_sizes(args.sizes) if args.sizes else None
    scenario_file = args.scenario and shipped.scenario("bench", args.scenario, "--scenario")
    _check_profiler(args)
    _check_paths(args)
    if threading.current_thread() is threading.main_thread():
        # A CI job's timeout sends SIGTERM: stop as Ctrl-C does, so the throw-away test
        # databases are dropped and the last run's files are left as they were.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    output = Path(args.output)
    try:
        output.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".bench-", dir=output))
    except OSError as error:
        raise UsageError(f"cannot write to --output {output}: {error.strerror}") from None
    try:
        return _run(args, sizes, scenario_file, output.resolve(), staging.resolve())
    except UsageError as error:
        kept = _keep_incomplete(staging, output)
        if kept is None:
            raise
        raise UsageError(f"{error}; what was measured before it is in {kept}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _keep_incomplete(staging: Path, output: Path) -> Path | None:
    """A failed run's recordings, beside the last good run's (which stay as they were)."""
    from perfkit.store import writer

    writer.flush()
    measured = staging / STORE
    if not measured.exists() or measured.stat().st_size == 0:
        return None
    kept = output / INCOMPLETE
    os.replace(measured, kept)
    return kept


def _run(
    args: argparse.Namespace,
    sizes: list[int] | None,
    scenario_file: Path | None,
    output: Path,
    staging: Path,
) -> int:
    """The run proper. Recordings go to ``staging`` and replace the last run's once measured."""
    from rich.console import Console

    from perfkit.bench import demo, network, personas, plan, project, scenario

    store = staging / STORE
    changes: list[str] = []
    if args.settings:
        changes = project.configure(args.settings, f"jsonl://{store}", Path.cwd())
        project.check_urlconf()
        databases: contextlib.AbstractContextManager[None] = project.test_databases()
        changes.append("DATABASES: Django's throw-away test databases, destroyed afterwards")
    else:
        demo.setup_demo(f"jsonl://{store}")
        databases = contextlib.nullcontext()
    loaded = scenario.load(scenario_file) if scenario_file else None
    sizes = _first(sizes, loaded and loaded.sizes, parse_sizes(DEFAULT_SIZES))
    repeat = _first(args.repeat, loaded and loaded.repeat, DEFAULT_REPEAT)
    warmup = _first(args.warmup, loaded and loaded.warmup, DEFAULT_WARMUP)
    chosen = personas.parse(_first(args.login, loaded and loaded.login, ",".join(personas.ALL)))
    if args.allow_network:
        guarded: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
    else:
        from django.conf import settings

        guarded = network.blocked(network.hosts_of(settings))
        changes.append("network: connections beyond this machine refused (--allow-network)")

    seconds = args.request_timeout or REQUEST_SECONDS
    console = Console()
    with databases:
        if args.settings:
            work = plan.project_plan(loaded, chosen, Path.cwd(), seconds)
        else:
            work = plan.demo_plan(loaded, chosen, seconds)
        with guarded as guard:
            recordings, outcomes = _measure(work, (sizes, repeat, warmup, seconds), console)
            if store.exists():
                os.replace(store, output / STORE)
            else:  # nothing was recorded: the run's recordings are none, not the last run's
                (output / STORE).write_text("")
            report = _analyse(recordings, outcomes, work, guard, args.settings)
            report.changes = changes
            if args.profile:
                from perfkit.bench.profile import profile_flagged

                with console.status("profiling the flagged views"):
                    profile_flagged(report, recordings, work, output)
    _write(report, recordings, args, output, console)
    return 0


def _measure(
    work: Any, counts: tuple[list[int], int, int, float], console: Any
) -> tuple[list[Any], Any]:
    """Run every size with a progress bar: the measured recordings, and what went wrong.

    ``counts`` is the sizes, the measured and warm-up requests, and each request's deadline.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from perfkit.bench import runner
    from perfkit.store import writer

    sizes, repeat, warmup, seconds = counts
    outcomes = runner.Outcomes()
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
                outcomes=outcomes,
                seconds=seconds,
            )
        finally:
            writer.flush()
    return recordings, outcomes


def _analyse(
    recordings: list[Any], outcomes: Any, work: Any, guard: Any, settings: str | None
) -> Any:
    """The report: the analysis, plus what was skipped, what broke and what was refused."""
    from perfkit.analysis import analyse
    from perfkit.analysis.model import RefusedCall

    report = analyse(recordings, source=settings or "perfkit.demo", errors=outcomes.errors)
    broken = [{"url": target, "reason": reason} for target, reason in outcomes.broken.items()]
    report.skipped = [*work.skipped, *broken, *report.skipped]
    if guard is not None:
        views = {r.labels.get(labels.TARGET): r.view for r in recordings}
        # Targets of one view (a route per object, a redirect per path) are one finding.
        by_view = {(views.get(c.target, c.target), c.method, c.host) for c in guard.refused}
        report.refused_calls = [RefusedCall(*call) for call in sorted(by_view, key=_by_view)]
    return report


def _by_view(call: tuple[str, str, str]) -> tuple[str, str, str]:
    view, method, host = call
    return view, host, method


def _write(
    report: Any, recordings: list[Any], args: argparse.Namespace, output: Path, console: Any
) -> None:
    """The terminal report, bench.json, and whichever of --json/--html/--markdown was asked."""
    from perfkit.renderers import json, terminal

    with reported_as("--output", output):
        json.write(report, output / "bench.json")
    terminal.render(report, console)
    if args.json:
        with reported_as("--json", Path(args.json)):
            json.write(report, Path(args.json))
    if args.html:
        from perfkit.renderers import html

        with reported_as("--html", Path(args.html)):
            html.write(report, Path(args.html))
    if args.markdown:
        from perfkit.renderers import markdown

        with reported_as("--markdown", Path(args.markdown)):
            write_text(Path(args.markdown), markdown.render(report))
    if args.save_baseline:
        from perfkit.gate import baseline

        with reported_as("--save-baseline", Path(args.save_baseline)):
            baseline.save(baseline.build(report, recordings), Path(args.save_baseline))
    console.print(f"Report written to {output / 'bench.json'}", highlight=False)
