"""``perfkit store prune`` and ``perfkit store export``: look after a store that lives for months.

One module for the ``store`` group; each action adds its own subparser in ``add_parser``
and shares ``add_store_option`` and ``opened`` (the store must exist: none is created).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from perfkit.commands.times import parse_since, parse_time
from perfkit.errors import StoreError, UsageError
from perfkit.store import Store, open_store, redact_url


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "store", help="look after a recording store: prune old records, export to Parquet"
    )
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    prune = actions.add_parser(
        "prune",
        help="delete the records older than a cut-off, in short batches that never stall writers",
    )
    add_store_option(prune)
    prune.add_argument(
        "--older-than",
        required=True,
        metavar="AGE",
        help="records that started before this go: 30m, 6h, 2d (before now) or an ISO date-time",
    )
    prune.add_argument(
        "--dry-run", action="store_true", help="say how many would go, and change nothing"
    )
    prune.set_defaults(run=run_prune)
    export = actions.add_parser(
        "export",
        help="write the store's records to one compact Parquet file (perfkit report reads it "
        "as parquet://FILE)",
    )
    add_store_option(export)
    export.add_argument(
        "--parquet", required=True, metavar="FILE", help="the Parquet file to write"
    )
    export.add_argument(
        "--since", help="only records newer than this: 30m, 6h, 2d or an ISO date-time"
    )
    export.set_defaults(run=run_export)


def add_store_option(parser: argparse.ArgumentParser) -> None:
    """``--store URL``, required: an action on a store never guesses which one."""
    parser.add_argument(
        "--store", required=True, metavar="URL", help="the store's URL, as in PERFKIT['STORE']"
    )


@contextmanager
def opened(url: str) -> Iterator[Store]:
    """The store at ``url``, which must exist; any failure of it is one ``UsageError`` line."""
    try:
        store = open_store(url)
        try:
            absent = store.missing()
            if absent:
                raise UsageError(
                    f"store {redact_url(url)} does not exist ({absent}); check --store"
                )
            yield store
        finally:
            store.close()
    except StoreError as error:
        raise UsageError(f"{error}; check --store") from None


def cutoff(text: str, now: float) -> float:
    """The epoch second ``--older-than`` names; one in the future is refused, since it
    would take the records being written right now too."""
    before = parse_time(text, now, "--older-than")
    if before > now:
        raise UsageError(f"--older-than {text!r} is in the future; give a time in the past")
    return before


def run_prune(args: argparse.Namespace) -> int:
    before = cutoff(args.older_than, time.time())
    when = datetime.fromtimestamp(before, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    with opened(args.store) as store:
        if args.dry_run:
            going = store.count_before(before)
            staying = store.count() - going
            print(
                f"would remove {_records(going)} that started before {when} ({args.older_than}),"
                f" keep {staying}; nothing changed (--dry-run)"
            )
        else:
            going = store.prune(before)
            staying = store.count()
            print(
                f"removed {_records(going)} that started before {when} ({args.older_than}),"
                f" kept {staying}"
            )
    return 0


def _records(count: int) -> str:
    return f"{count} record" if count == 1 else f"{count} records"


def run_export(args: argparse.Namespace) -> int:
    from perfkit.commands.paths import reported_as
    from perfkit.store.parquet_export import export

    since = parse_since(args.since, time.time())
    target = Path(args.parquet)
    if target.is_dir():
        raise UsageError(f"--parquet {target} is a folder; give the file to write")
    # The store must exist (exporting creates none); its failures are one line.
    with opened(args.store), reported_as("--parquet", target):
        count = export(args.store, str(target), since)
    from perfkit.renderers.formatting import file_size

    print(f"exported {_records(count)} to {target} ({file_size(target.stat().st_size)})")
    return 0
