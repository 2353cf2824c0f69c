"""``perfkit report``: analyse what the middleware recorded, from any store."""

from __future__ import annotations

import argparse
import fnmatch
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from perfkit.commands.paths import check_options, option, reported_as
from perfkit.commands.times import parse_since
from perfkit.errors import CorruptRecordError, StoreError, UsageError
from perfkit.output import write_text
from perfkit.recording import Recording
from perfkit.store import Store, open_store, redact_url
from perfkit.store.duckdb_sources import MEMORY_LIMIT, PARQUET, scheme

if TYPE_CHECKING:
    from perfkit.analysis.facts import Facts


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "report", help="analyse recordings from a store: per-view stats, N+1, O(n), caching"
    )
    parser.add_argument(
        "--store",
        default="sqlite:///perfkit.sqlite3",
        help="store URL the middleware wrote to, or parquet://FILE from perfkit store export "
        "(default: sqlite:///perfkit.sqlite3)",
    )
    parser.add_argument(
        "--since", help="only records newer than this: 30m, 6h, 2d or an ISO date-time"
    )
    parser.add_argument(
        "--view", action="append", default=[], help="only these views (glob, repeatable)"
    )
    parser.add_argument(
        "--skip-corrupt",
        action="store_true",
        help="leave out records that cannot be read, and say how many (default: stop at one)",
    )
    parser.add_argument(
        "--engine",
        choices=("auto", "duckdb", "postgresql", "python"),
        default="auto",
        help="auto (default) and duckdb: analyse in DuckDB, in bounded memory (a postgresql:// "
        "store's analysis columns are copied out for it: faster than the server's own SQL); "
        "postgresql: inside the PostgreSQL server, only per-view results coming back; "
        "python: every recording in memory (the reference the others are tested against)",
    )
    parser.add_argument(
        "--settings",
        help="Django settings module of the project, so fixes can name model fields",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the report as JSON")
    parser.add_argument("--html", metavar="PATH", help="also write a self-contained HTML report")
    parser.add_argument("--markdown", metavar="PATH", help="also write the report as Markdown")
    parser.set_defaults(run=run)


def select(
    recordings: Iterable[Recording], since: float | None, views: list[str]
) -> list[Recording]:
    """The recordings that started at ``since`` or later, of a view matching one of the
    ``views`` globs (any view when there are none)."""
    return [
        r
        for r in recordings
        if (since is None or r.started_at >= since)
        and (not views or any(fnmatch.fnmatchcase(r.view, v) for v in views))
    ]


def read_store(
    url: str, since: float | None, views: list[str], skip_corrupt: bool
) -> tuple[list[Recording], int]:
    """The recordings in the store at ``url`` that pass the filters, and how many were corrupt.

    Every problem is a ``UsageError``: a store that does not exist (reading it creates
    nothing), one that cannot be read, a corrupt record (unless ``skip_corrupt``).
    """
    skipped = 0

    def skip(_: CorruptRecordError) -> None:  # a count, not a list: a store may hold millions
        nonlocal skipped
        skipped += 1

    try:
        store = open_store(url)
        try:
            _must_exist(store)
            recordings = select(store.read(skip if skip_corrupt else None), since, views)
        finally:
            store.close()
    except CorruptRecordError as error:
        raise UsageError(f"{error}; rerun with --skip-corrupt to leave it out") from None
    except StoreError as error:
        raise UsageError(f"{error}; check --store") from None
    return recordings, skipped


def gather_in_engine(url: str, since: float | None, views: list[str], engine: str) -> Facts | None:
    """The facts of the store at ``url``, gathered inside PostgreSQL (a postgresql:// store,
    ``postgresql``) or by DuckDB; None when the engine cannot read a record (corrupt, or of an
    older perfkit): the record-by-record reader then names the problem."""
    import duckdb

    from perfkit.analysis import duckdb_facts, postgres_facts

    if scheme(url) == PARQUET:
        if not os.path.exists(_parquet_path(url)):
            raise UsageError(f"no file {_parquet_path(url)}; check --store")
    else:
        try:
            store = open_store(url)
            try:
                _must_exist(store)
            finally:
                store.close()
        except StoreError as error:
            raise UsageError(f"{error}; check --store") from None
    in_postgresql = engine == "postgresql"
    try:
        if in_postgresql:
            return postgres_facts.gather(url, since, views)
        return duckdb_facts.gather(url, since, views)
    except duckdb.OutOfMemoryException:
        raise UsageError(
            f"DuckDB needed more than its {MEMORY_LIMIT} (PERFKIT_DUCKDB_MEMORY): raise it, "
            "or narrow the report with --since or --view"
        ) from None
    except (duckdb.Error, psycopg_errors(), CorruptRecordError, KeyError, StopIteration):
        if scheme(url) == PARQUET:
            raise UsageError(f"{url} is not a perfkit export; check --store") from None
        return None
    except StoreError as error:
        raise UsageError(f"{error}; check --store") from None


def psycopg_errors() -> type[Exception]:
    """psycopg's base error when it is installed (an engine error to fall back from)."""
    try:
        import psycopg
    except ImportError:
        return StoreError
    return psycopg.Error


def _parquet_path(url: str) -> str:
    return os.path.abspath(url.partition("://")[2])


def _must_exist(store: Store) -> None:
    absent = store.missing()
    if absent:
        raise UsageError(
            f"store {redact_url(store.url)} does not exist ({absent}); "
            "check --store, or record a request first"
        )


def _setup_django(settings: str) -> None:
    """Load the project (current directory importable, like manage.py) for its model relations."""
    import os
    import sys

    import django

    sys.path.insert(0, os.getcwd())
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    try:
        django.setup()
    except Exception as error:
        raise UsageError(
            f"--settings {settings}: cannot load the project ({type(error).__name__}: {error})"
        ) from None


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from perfkit.analysis import facts
    from perfkit.analysis.analyse import conclude
    from perfkit.renderers import bench_html, bench_json, bench_markdown, bench_terminal

    since = parse_since(args.since, time.time())
    check_options(args, "json", "html", "markdown")
    if scheme(args.store) == PARQUET and args.engine == "python":
        raise UsageError("a Parquet export is read by DuckDB only: drop --engine python")
    if args.engine == "postgresql" and scheme(args.store) not in ("postgresql", "postgres"):
        raise UsageError("--engine postgresql analyses a postgresql:// store only")
    if args.settings:
        _setup_django(args.settings)
    console = Console()
    found, corrupt = None, 0
    with console.status(f"reading {redact_url(args.store)}"):
        if args.engine != "python" and not args.skip_corrupt:
            found = gather_in_engine(args.store, since, args.view, args.engine)
        if found is None:
            recordings, corrupt = read_store(args.store, since, args.view, args.skip_corrupt)
            found = facts.from_recordings(recordings)
    if not found.records:
        skipped = f" ({corrupt} corrupt record(s) skipped)" if corrupt else ""
        raise UsageError(
            f"no recordings in {redact_url(args.store)} match{skipped}; "
            "check --store, --since and --view"
        )
    report = conclude(found, source=redact_url(args.store))
    bench_terminal.render(report, console)
    if corrupt:
        console.print(f"[yellow]{corrupt} corrupt record(s) skipped (--skip-corrupt)")
    for flag, write in (("json", bench_json.write), ("html", bench_html.write)):
        path = getattr(args, flag)
        if path:
            with reported_as(option(flag), Path(path)):
                write(report, Path(path))
    if args.markdown:
        with reported_as("--markdown", Path(args.markdown)):
            write_text(Path(args.markdown), bench_markdown.render(report))
    return 0
