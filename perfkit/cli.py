"""The ``perfkit`` command line: wires the commands together and turns errors into one line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from perfkit import __version__, extras
from perfkit.commands import baseline, bench, gate, init, latency, report
from perfkit.commands import load as load_command
from perfkit.commands import stack as stack_command
from perfkit.commands import store as store_command
from perfkit.errors import PerfkitError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"perfkit: error: {message} (see 'perfkit --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="perfkit",
        description="Django performance profiling: record, benchmark and gate your views.",
    )
    parser.add_argument("--version", action="version", version=f"perfkit {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)
    bench.add_parser(commands)
    report.add_parser(commands)
    gate.add_parser(commands)
    baseline.add_parser(commands)
    latency.add_parser(commands)
    stack_command.add_parser(commands)
    load_command.add_parser(commands)
    store_command.add_parser(commands)
    init.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; exit status 0 ok, 1 findings, 2 usage or input error."""
    try:
        extras.require("cli", "the command line")
        parser = build_parser()
        args = parser.parse_args(argv)
        if not hasattr(args, "run"):
            parser.print_help()
            return 0
        return args.run(args)
    except PerfkitError as error:  # the one type of failure meant for the user
        # One line whatever the message holds (a driver's error can span several).
        message = " ".join(part.strip() for part in str(error).splitlines() if part.strip())
        sys.stderr.write(f"perfkit: error: {message}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("perfkit: interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
