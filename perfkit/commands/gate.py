"""``perfkit gate``: fail CI on a query, N+1, O(n), cache or latency regression."""

from __future__ import annotations

import argparse
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

from perfkit import output
from perfkit.commands.numbers import number, whole
from perfkit.commands.paths import check_options, option, reported_as
from perfkit.errors import UsageError

DEFAULT_CONFIG = Path("perf/gate.toml")
#: The version of the gate's --json document; bumped when a key is renamed or removed.
GATE_SCHEMA = 1


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "gate", help="compare a bench run with a baseline; exit 1 on a regression"
    )
    parser.add_argument("--baseline", type=Path, help="the committed baseline JSON")
    parser.add_argument(
        "--current",
        type=Path,
        help="a run saved with perfkit bench --save-baseline (else: run bench)",
    )
    parser.add_argument(
        "--against", metavar="REF", help="bench this git ref and the working tree alternately"
    )
    parser.add_argument(
        "--rounds",
        type=whole(2, 200),
        default=12,
        help="interleaved rounds for --against (12: enough for a 99.9%% CI over 40 views)",
    )
    parser.add_argument(
        "--config", type=Path, help=f"gate config TOML (default {DEFAULT_CONFIG} if present)"
    )
    parser.add_argument("--policy", choices=("exact", "max"), help="query-count policy (exact)")
    parser.add_argument(
        "--min-effect", type=number(0, 10), help="slowdown that fails, as a fraction (0.10)"
    )
    parser.add_argument("--junit", type=Path, metavar="PATH", help="write JUnit XML")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the findings as JSON")
    parser.add_argument("--gitlab-metrics", type=Path, metavar="PATH", help="write OpenMetrics")
    parser.add_argument(
        "--github",
        action="store_true",
        default=os.environ.get("GITHUB_ACTIONS") == "true",
        help="print ::error annotations and write $GITHUB_STEP_SUMMARY (on in GitHub Actions)",
    )
    parser.add_argument("--settings", help="Django settings module of the project to bench")
    parser.add_argument("--sizes", help="data sizes for the bench run, e.g. 10,50")
    parser.add_argument("--scenario", help="scenario file for the bench run")
    parser.set_defaults(run=run)


def _bench_args(args: argparse.Namespace) -> list[str]:
    passed = []
    for flag in ("settings", "sizes", "scenario"):
        value = getattr(args, flag)
        if value:
            passed += [f"--{flag}", value]
    return passed


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from perfkit.gate import baseline, config, rounds
    from perfkit.gate.evaluate import evaluate
    from perfkit.renderers import gate_github, gate_junit, gate_openmetrics, gate_terminal

    if args.baseline is None and args.against is None:
        raise UsageError("give --baseline PATH (a saved baseline) or --against REF (a git ref)")
    check_options(args, "junit", "json", "gitlab_metrics")
    config_path = args.config or (DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None)
    console = Console()
    policy = config.load(config_path, args.policy, args.min_effect)
    pairs = None
    if args.against:
        with console.status(f"benchmarking {args.against} and this tree, interleaved"):
            base, current, pairs = rounds.interleaved(
                args.against, Path.cwd(), _bench_args(args), args.rounds
            )
        if args.baseline:
            base = baseline.load(args.baseline)
    else:
        base = baseline.load(args.baseline)
        if args.current:
            current = baseline.load(args.current)
        else:
            with console.status("running perfkit bench"):
                work = Path(tempfile.mkdtemp(prefix="perfkit-gate-"))
                current = rounds.bench(Path.cwd(), Path.cwd(), _bench_args(args), work)
    result = evaluate(base, current, policy, pairs)
    gate_terminal.render(result, console)
    outputs = {
        "junit": lambda: gate_junit.render(result),
        "json": lambda: output.json_text(asdict(result), GATE_SCHEMA),
        "gitlab_metrics": lambda: gate_openmetrics.render(result, current),
    }
    for flag, text in outputs.items():
        path = getattr(args, flag)
        if path:
            with reported_as(option(flag), path):
                output.write_text(path, text())
    if args.github:
        for line in gate_github.annotations(result):
            print(line)
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            with reported_as("$GITHUB_STEP_SUMMARY", Path(summary)), open(summary, "a") as file:
                file.write(gate_github.summary(result))
    return 0 if result.passed else 1
