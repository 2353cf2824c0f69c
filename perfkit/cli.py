"""The ``perfkit`` command line: wires the commands together and turns errors into one line."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Sequence
from typing import NoReturn

from perfkit import __version__
from perfkit.commands import baseline, bench, gate, latency, report
from perfkit.commands import load as load_command
from perfkit.commands import stack as stack_command
from perfkit.errors import PerfkitError

#: Modules of the ``cli`` extra (setup.py's CLI list) that the commands import as they run:
#: without one, a command would die half-way in a traceback. pyinstrument is left out
#: because only ``--profile`` needs it, and that option names it itself.
CLI_EXTRA_MODULES = ("rich", "httpx", "jinja2", "model_bakery", "scipy")


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
    return parser


def missing_extra_module() -> str | None:
    """The first module of the ``cli`` extra that is not installed, or None."""
    for name in CLI_EXTRA_MODULES:
        try:
            if importlib.util.find_spec(name) is None:
                return name
        except ImportError:  # an import hook that refuses the module
            return name
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; exit status 0 ok, 1 findings, 2 usage or input error."""
    absent = missing_extra_module()
    if absent:
        sys.stderr.write(
            f"perfkit: error: the command line needs the cli extra (no module {absent!r}): "
            'pip install "perfkit[cli]"\n'
        )
        return 2
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 0
    try:
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
