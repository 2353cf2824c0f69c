"""``perfkit load SCENARIO``: Locust in a subprocess against the stack, with tier attribution."""

from __future__ import annotations

import argparse
import math
import re
from pathlib import Path

from perfkit import extras, shipped
from perfkit.commands.numbers import number, whole
from perfkit.commands.paths import check_directory, reported_as
from perfkit.commands.stack import DEFAULT_RUN_DIR
from perfkit.errors import UsageError

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h)?")
MAX_DURATION_S = 24 * 3600.0
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}
_RATE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:/\s*(s|m))?")
MAX_RATE = 100_000.0
DEFAULT_USERS = 10


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "load", help="run a Locust scenario against the stack: exact timings, per-tier time"
    )
    parser.add_argument(
        "scenario",
        metavar="SCENARIO",
        help="a Locust file, or a shipped one's name: " + ", ".join(shipped.scenario_names("load")),
    )
    parser.add_argument(
        "--users",
        type=whole(1, 100_000),
        help=f"concurrent users ({DEFAULT_USERS}); with --rate, the most users at once "
        "(default: one per arrival a second, at least 10)",
    )
    parser.add_argument(
        "--rate",
        help="open model: start arrivals at this rate, 200/s, 12000/m or 200 (per second), "
        "and measure latency from each one's intended start",
    )
    parser.add_argument(
        "--spawn-rate",
        type=number(0, 100_000),
        default=0,
        help="users started per second (all at once)",
    )
    parser.add_argument("--duration", default="30s", help="how long to run: 30s, 2m (30s)")
    parser.add_argument("--host", help="load this base URL instead of the running stack")
    parser.add_argument(
        "--run-dir", default=DEFAULT_RUN_DIR, help=f"the stack's run dir (./{DEFAULT_RUN_DIR})"
    )
    parser.add_argument(
        "--output",
        default="perfkit-report/load",
        help="report and raw data dir (perfkit-report/load)",
    )
    parser.add_argument(
        "--tags", default="", metavar="TAG,TAG", help="only tasks with these Locust tags"
    )
    parser.add_argument(
        "--processes", type=whole(1, 256), default=1, help="Locust worker processes (1)"
    )
    parser.add_argument(
        "--expect-workers",
        type=whole(0, 10_000),
        default=0,
        metavar="N",
        help="be a Locust master for N workers on other hosts (see the docs)",
    )
    parser.add_argument(
        "--master-bind",
        default="127.0.0.1:5557",
        metavar="HOST:PORT",
        help="where the master listens for workers (127.0.0.1:5557)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="py-spy the app servers during the run"
    )
    parser.add_argument(
        "--matrix",
        action="append",
        default=[],
        metavar="KEY=V1,V2",
        help="run on stack variants: cache=memcached,none pooler=pgbouncer,none app-servers=1,2",
    )
    parser.set_defaults(run=run)


def parse_duration(text: str) -> float:
    """``30s``, ``2m``, ``1.5m``, ``90`` (seconds) → seconds."""
    match = _DURATION.fullmatch(text.strip())
    if not match or float(match.group(1)) <= 0:
        raise UsageError(f"--duration {text!r} is not a duration like 30s, 2m or 90")
    seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds > MAX_DURATION_S:
        raise UsageError(f"--duration {text!r} is over 24h: load runs are bounded; give less")
    return seconds


def parse_rate(text: str) -> float:
    """``200/s``, ``12000/m``, ``200`` (per second) → arrivals per second."""
    match = _RATE.fullmatch(text.strip())
    if not match or float(match.group(1)) <= 0:
        raise UsageError(f"--rate {text!r} is not a rate like 200/s, 12000/m or 200")
    rate = float(match.group(1)) / (60.0 if match.group(2) == "m" else 1.0)
    if rate > MAX_RATE:
        raise UsageError(f"--rate {text!r} is over {MAX_RATE:.0f}/s: give less")
    return rate


def run(args: argparse.Namespace) -> int:
    scenario = shipped.scenario("load", args.scenario, "scenario")
    duration = parse_duration(args.duration)
    rate = 0.0 if args.rate is None else parse_rate(args.rate)
    if rate and args.spawn_rate:
        raise UsageError("--spawn-rate is for --users runs: --rate makes users as arrivals need")
    users = args.users or (max(DEFAULT_USERS, math.ceil(rate)) if rate else DEFAULT_USERS)
    if args.host and not re.match(r"https?://[^/]+", args.host):
        raise UsageError(f"--host {args.host!r} is not an http:// or https:// URL")
    host, _, port = args.master_bind.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"--master-bind {args.master_bind!r} is not HOST:PORT")
    master_bind = (host, int(port))
    if args.expect_workers and args.processes > 1:
        raise UsageError("--expect-workers does not mix with --processes: give one of them")
    if args.host and (args.matrix or args.profile):
        raise UsageError("--matrix and --profile need the stack: leave out --host")
    output = Path(args.output)
    check_directory(output, "--output")
    extras.require("stack", "perfkit load")

    from rich.console import Console

    from perfkit.load import matrix
    from perfkit.load.loadtest import run as run_once
    from perfkit.load.locust_process import LocustRun
    from perfkit.load.result import LoadResult
    from perfkit.renderers import load_html, load_json, load_terminal
    from perfkit.stack import state as stack_state
    from perfkit.stack.options import StackOptions

    console = Console()
    with reported_as("--output", output):
        output.mkdir(parents=True, exist_ok=True)

    def spec(host: str) -> LocustRun:
        return LocustRun(
            scenario=scenario.resolve(),
            host=host,
            users=users,
            spawn_rate=args.spawn_rate or users,
            duration_s=duration,
            processes=args.processes,
            tags=tuple(t.strip() for t in args.tags.split(",") if t.strip()),
            expect_workers=args.expect_workers,
            master_bind=master_bind,
            rate=rate,
        )

    if args.matrix:
        axes = matrix.parse(args.matrix)
        current = stack_state.load(Path(args.run_dir))
        base = StackOptions(**current.options) if current else StackOptions()

        def run_one(state: stack_state.StackState, label: str, out: Path) -> LoadResult:
            result = run_once(spec(state.url), out, stack=state, console=console, label=label)
            load_terminal.render(result, console)
            return result

        with console.status("matrix") as status:
            results = matrix.run_matrix(
                base, axes, Path(args.run_dir), run_one, lambda t: status.update(t)
            )
        load_terminal.render_matrix(results, console)
    else:
        if args.host:
            current, host = None, args.host
        else:
            current = stack_state.require(Path(args.run_dir))
            host = current.url
        results = [
            run_once(spec(host), output, stack=current, console=console, profile_app=args.profile)
        ]
        load_terminal.render(results[0], console)
    with reported_as("--output", output):
        load_json.write(results, output / "load.json")
        load_html.write(results, output / "load.html")
    console.print(f"Report written to {output / 'load.json'} and {output / 'load.html'}")
    dropped = any(r.open_model is not None and r.open_model.dropped for r in results)
    return 1 if dropped or any(r.reconciliation.losses or r.failures for r in results) else 0
