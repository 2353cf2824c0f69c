"""``perfkit init scenarios [DIR]``: copy the shipped example scenarios into a project to edit."""

from __future__ import annotations

import argparse
from pathlib import Path

from perfkit import shipped
from perfkit.commands.paths import check_directory, reported_as


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("init", help="copy perfkit's example files into your project")
    things = parser.add_subparsers(title="what", metavar="WHAT", required=True)
    scenarios = things.add_parser(
        "scenarios", help="the bench and Locust scenarios, into DIR/bench and DIR/load"
    )
    scenarios.add_argument(
        "directory", nargs="?", default="scenarios", type=Path, help="where (./scenarios)"
    )
    scenarios.set_defaults(run=run_scenarios)


def run_scenarios(args: argparse.Namespace) -> int:
    check_directory(args.directory, "DIR")
    with reported_as("DIR", args.directory):
        copies = shipped.copy_scenarios(args.directory)
    for kind in shipped.SCENARIO_KINDS:
        names = [p.name for p in copies if p.parent.name == kind]
        print(f"{args.directory / kind}/: {', '.join(names)}")
    print(
        f"Edit them, then: perfkit bench --scenario {args.directory / 'bench' / 'template.py'}"
        f" · perfkit load {args.directory / 'load' / 'template.py'}"
    )
    return 0
