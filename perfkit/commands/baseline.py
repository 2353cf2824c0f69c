"""``perfkit baseline diff OLD NEW``: what changed between two baselines."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("baseline", help="work with saved baselines")
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    diff = actions.add_parser("diff", help="print what changed between two baselines")
    diff.add_argument("old", type=Path)
    diff.add_argument("new", type=Path)
    diff.set_defaults(run=run_diff)


def run_diff(args: argparse.Namespace) -> int:
    from perfkit.gate import baseline
    from perfkit.gate.diff import diff

    old, new = baseline.load(args.old), baseline.load(args.new)
    lines = diff(old, new)
    for line in lines:
        print(line)
    if not lines:
        print("no changes")
    return 0
