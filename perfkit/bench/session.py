"""One bench run as a library call: configure the site, make data, measure, analyse.

``perfkit.bench.run(BenchOptions(...), output)`` is what ``perfkit bench`` runs; it returns
the report and the recordings it was made from. The new run's recordings are written beside
the last good run's and replace them only once the run has measured; a run stopped by bad
input leaves what it had measured in ``recordings.incomplete.jsonl`` and the last good run as
it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from perfkit import labels
from perfkit.bench.runner import REQUEST_SECONDS
from perfkit.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from perfkit.analysis.report import Report
    from perfkit.bench.explain_candidates import Explainer
    from perfkit.bench.plan import Plan
    from perfkit.bench.runner import Outcomes
    from perfkit.recording import Recording

#: Paginated lists stop growing once a page is full; 10 and 25 rows are the usual page sizes.
#: 5 is below the smaller and 30 above the larger, so a list's row count (and any per-row
#: query) still grows between the two sizes.
DEFAULT_SIZES = (5, 30)
#: Query counts are exact from one request; three give a median latency. A project of 250
#: routes makes some 2,000 requests at two sizes: more repeats is --repeat's choice.
DEFAULT_REPEAT = 3
DEFAULT_WARMUP = 1
#: The run's recordings, in the output directory: the last successful run's, until a new
#: run has measured.
STORE = "recordings.jsonl"
#: Where a run that stopped on bad input leaves what it had measured.
INCOMPLETE = "recordings.incomplete.jsonl"


@dataclass(frozen=True)
class BenchOptions:
    """What to bench and how; None takes the scenario's value, then the default."""

    settings: str | None = None  # the project's settings module; None: the bundled demo
    scenario: Path | None = None
    sizes: list[int] | None = None
    repeat: int | None = None
    warmup: int | None = None
    login: str | None = None  # personas, comma-separated
    request_timeout: float | None = None
    allow_network: bool = False
    profile: bool = False  # pyinstrument profiles of the flagged views, into the output
    explain: str = "plan"  # query plans of the chosen statements: off, plan or analyze


@dataclass
class BenchResult:
    """The report of one run, and the measured recordings it was made from."""

    report: Report
    recordings: list[Recording]


def run(options: BenchOptions, output: Path, console: Console | None = None) -> BenchResult:
    """Bench the site ``options`` names; recordings and profiles go into ``output``."""
    from rich.console import Console

    console = console or Console(quiet=True)
    try:
        output.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".bench-", dir=output))
    except OSError as error:
        raise UsageError(f"cannot write to --output {output}: {error.strerror}") from None
    try:
        return _run(options, output.resolve(), staging.resolve(), console)
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


def _first(*values: Any) -> Any:
    return next(v for v in values if v is not None)


def _run(options: BenchOptions, output: Path, staging: Path, console: Console) -> BenchResult:
    """The run proper. Recordings go to ``staging`` and replace the last run's once measured."""
    from perfkit.bench import demo_site, memory, network, personas, plan, project, scenario
    from perfkit.capture import eager_loads

    # Before the project is loaded: a queryset its modules build at import (a viewset's
    # ``queryset``) is named by its own line.
    eager_loads.install()
    store = staging / STORE
    changes: list[str] = []
    if options.settings:
        changes = project.configure(options.settings, f"jsonl://{store}", Path.cwd())
        project.check_urlconf()
        databases: contextlib.AbstractContextManager[None] = project.test_databases()
        changes.append("DATABASES: Django's throw-away test databases, destroyed afterwards")
    else:
        demo_site.setup_demo(f"jsonl://{store}")
        databases = contextlib.nullcontext()
    loaded = scenario.load(options.scenario) if options.scenario else None
    sizes = _first(options.sizes, loaded and loaded.sizes, list(DEFAULT_SIZES))
    repeat = _first(options.repeat, loaded and loaded.repeat, DEFAULT_REPEAT)
    warmup = _first(options.warmup, loaded and loaded.warmup, DEFAULT_WARMUP)
    login = _first(options.login, loaded and loaded.login, ",".join(personas.ALL))
    chosen = personas.parse(login)
    if options.allow_network:
        guarded: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
    else:
        from django.conf import settings

        guarded = network.blocked(network.hosts_of(settings))
        changes.append("network: connections beyond this machine refused (--allow-network)")

    seconds = options.request_timeout or REQUEST_SECONDS
    with memory.capped(), databases:
        if options.settings:
            work = plan.project_plan(loaded, chosen, Path.cwd(), seconds)
        else:
            work = plan.demo_plan(loaded, chosen, seconds)
        with guarded as guard, eager_loads.tracking():
            explainer = _explainer(options.explain)
            recordings, outcomes = _measure(
                work, (sizes, repeat, warmup, seconds), console, explainer
            )
            if store.exists():
                os.replace(store, output / STORE)
            else:  # nothing was recorded: the run's recordings are none, not the last run's
                (output / STORE).write_text("")
            report = _analyse(recordings, outcomes, work, guard, options.settings)
            report.changes = changes
            if explainer is not None:
                report.explained = explainer.explained()
                report.explain = explainer.mode
            if options.profile:
                from perfkit.bench.flagged_profiles import profile_flagged

                with console.status("profiling the flagged views"):
                    profile_flagged(report, recordings, work, output)
    return BenchResult(report, recordings)


def _explainer(mode: str) -> Explainer | None:
    """What explains the chosen statements' plans after each size; None with ``off``."""
    from perfkit.bench.explain_candidates import OFF, Explainer

    return None if mode == OFF else Explainer(mode)


def _measure(
    work: Plan,
    counts: tuple[list[int], int, int, float],
    console: Console,
    explainer: Explainer | None = None,
) -> tuple[list[Recording], Outcomes]:
    """Run every size with a progress bar: the measured recordings, and what went wrong.

    ``counts`` is the sizes, the measured and warm-up requests, and each request's deadline;
    an ``explainer`` explains the chosen statements after each size.
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

        keeping = explainer.keeping() if explainer else contextlib.nullcontext()

        def after_size(size: int, measured: list[Any]) -> None:
            if explainer is not None:
                progress.update(task, description=f"n={size} explaining query plans")
                explainer.after_size(size, measured)

        try:
            with keeping:
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
                    after_size=after_size,
                )
        finally:
            writer.flush()
    return recordings, outcomes


def _analyse(
    recordings: list[Recording], outcomes: Outcomes, work: Plan, guard: Any, settings: str | None
) -> Report:
    """The report: the analysis, plus what was skipped, what broke and what was refused."""
    from perfkit.analysis import analyse
    from perfkit.analysis.report import RefusedCall

    report = analyse(recordings, source=settings or "perfkit.demo", errors=outcomes.errors)
    broken = [
        {"url": labels.target_label(target), "reason": reason}
        for target, reason in outcomes.broken.items()
    ]
    report.skipped = [*work.skipped, *broken, *report.skipped]
    if guard is not None:
        views = {r.labels.get(labels.TARGET): r.view for r in recordings}
        # Targets of one view (a route per object, a redirect per path) are one finding.
        by_view = {
            (
                views.get(labels.target_label(c.target), labels.target_label(c.target)),
                c.method,
                c.host,
            )
            for c in guard.refused
        }
        report.refused_calls = [
            RefusedCall(*call, *_unanswered(recordings, *call))
            for call in sorted(by_view, key=_by_view)
        ]
    return report


def _unanswered(
    recordings: list[Recording], view: str, method: str, host: str
) -> tuple[list[str], str]:
    """The path patterns of the view's HTTP calls to ``host`` that got no answer, and the
    line that made the last of them."""
    paths: dict[str, None] = {}
    callsite = ""
    for recording in recordings:
        if recording.view != view or recording.method != method:
            continue
        for call in recording.http_calls:
            if call.status is None and _name(call.host) == host.strip("[]"):
                paths[call.path_pattern] = None
                callsite = call.callsite
    return sorted(paths), callsite


def _name(host: str) -> str:
    """A recorded call's host without its port: ``[::1]:8080`` → ``::1``."""
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.partition(":")[0]


def _by_view(call: tuple[str, str, str]) -> tuple[str, str, str]:
    view, method, host = call
    return view, host, method
