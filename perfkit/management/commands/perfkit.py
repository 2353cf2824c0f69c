"""``manage.py perfkit bench|report …``: perfkit's CLI inside a project, ``--settings`` implicit."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

COMMANDS = ("bench", "report")


class Command(BaseCommand):
    help = (
        "Run perfkit's bench or report on this project: `manage.py perfkit bench --sizes 5,30`, "
        "`manage.py perfkit report --since 1d`. Options are perfkit's (`perfkit bench --help`)."
    )
    # bench sets Django up again in its own process; report only reads the store.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("command", nargs="?", metavar="bench|report")
        parser.add_argument("arguments", nargs=argparse.REMAINDER, help="perfkit's own options")

    def handle(self, *args: Any, command: str | None, arguments: list[str], **kwargs: Any) -> None:
        if command not in COMMANDS:
            given = f"unknown perfkit command {command!r}" if command else "no perfkit command"
            raise CommandError(f"{given}; use bench or report", returncode=2)
        status = bench(arguments) if command == "bench" else report(arguments)
        if status:
            sys.exit(status)


def settings_module() -> str:
    """The project's settings module, as manage.py set it up."""
    return os.environ.get("DJANGO_SETTINGS_MODULE") or settings.SETTINGS_MODULE


def bench(options: list[str]) -> int:
    """``perfkit bench --settings <this project>`` in a fresh process, so setup stays clean."""
    if "--settings" not in options:
        options = ["--settings", settings_module(), *options]
    argv = [sys.executable, "-m", "perfkit", "bench", *options]
    return subprocess.run(argv, cwd=os.getcwd(), check=False).returncode


def report(options: list[str]) -> int:
    """``perfkit report`` in this process, reading the store this project records to."""
    from perfkit import cli, conf

    if not any(o == "--store" or o.startswith("--store=") for o in options):
        options = ["--store", conf.get_config()["STORE"], *options]
    try:
        return cli.main(["report", *options])
    except ImportError as error:
        raise CommandError(
            f"perfkit report needs the CLI extras ({error.name} is missing): "
            'pip install "perfkit[cli]"',
            returncode=2,
        ) from None
