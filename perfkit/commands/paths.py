"""Output paths: checked before a command starts its work, and write failures as one line.

A command calls ``check_file`` / ``check_directory`` for every path it will write before it
measures anything, so a typo in a CI path fails in a second, with exit 2, not after a long
run (and, for ``gate``, never as exit 1, which means "regression"). ``reported_as`` turns a
write that still fails later (a full disk) into the same one-line error.
"""

from __future__ import annotations

import tempfile
from argparse import Namespace
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from perfkit.errors import UsageError


def check_file(path: Path, option: str, makes_directories: bool = False) -> None:
    """``path`` can be written as a file; its missing directories are made later if allowed."""
    if path.is_dir():
        raise UsageError(f"{option} {path} is a directory; give a file name")
    directory = path.absolute().parent
    if makes_directories:
        while not directory.exists() and directory != directory.parent:
            directory = directory.parent
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{option} {path}: {directory} is a file, not a directory")
    if not directory.is_dir():
        raise UsageError(f"{option} {path}: no directory {directory}; create it first")
    with reported_as(option, path):
        if path.exists():
            with path.open("a"):  # appending nothing proves the file can be written
                pass
        else:
            with tempfile.TemporaryFile(dir=directory):
                pass


def check_options(args: Namespace, *flags: str) -> None:
    """``check_file`` for each of ``flags`` (argparse dests) the user gave."""
    for flag in flags:
        value = getattr(args, flag)
        if value is not None:
            check_file(Path(value), option(flag))


def option(flag: str) -> str:
    """The command-line spelling of an argparse dest: ``gitlab_metrics`` → ``--gitlab-metrics``."""
    return "--" + flag.replace("_", "-")


def check_directory(path: Path, option: str) -> None:
    """``path`` is, or can be made as, a directory this process writes files in."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"{option} {path} is a file, not a directory; give a directory")
    existing = path.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise UsageError(f"{option} {path}: {existing} is not a directory; choose another place")
    with reported_as(option, path), tempfile.TemporaryFile(dir=existing):
        pass


@contextmanager
def reported_as(option: str, path: Path) -> Iterator[None]:
    """An ``OSError`` inside the block becomes one line naming ``option`` and ``path``."""
    try:
        yield
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise UsageError(
            f"{option} {path}: cannot write there ({reason}); choose another place"
        ) from None
