"""A store's recordings as one Parquet file: compact, columnar, readable by any engine.

Written by DuckDB from the same relation the report's analysis reads (queries and cache calls
as lists of structs, statements as a map), zstd-compressed, in start order, so that
``perfkit report --store parquet://FILE`` reads it back and DuckDB, pandas or Spark can query
it. The file appears only once it is complete: an existing one is replaced, never truncated.
"""

from __future__ import annotations

import os
import shutil
import tempfile

from perfkit.errors import StoreError
from perfkit.store.duckdb_sources import connect, source


def export(url: str, path: str, since: float | None = None) -> int:
    """Write the store's recordings (started at ``since`` or later) to ``path``; how many."""
    import duckdb

    # A folder of its own beside the target, removed whatever happens: DuckDB may leave
    # files of its own beside the one it writes when the copy fails.
    scratch = tempfile.mkdtemp(
        prefix=".perfkit-export-", dir=os.path.dirname(os.path.abspath(path))
    )
    partial = os.path.join(scratch, "export.parquet")
    where, args = ("WHERE started_at >= ?", [since]) if since is not None else ("", [])
    target = partial.replace("'", "''")
    try:
        with connect() as con, source(url, since, con) as store:
            con.execute(
                f"COPY (SELECT * FROM {store.recordings()} {where} ORDER BY started_at, id)"
                f" TO '{target}' (FORMAT parquet, COMPRESSION zstd)",
                args,
            )
            count = con.execute("SELECT count(*) FROM read_parquet(?)", [partial]).fetchone()[0]
        os.replace(partial, path)
        return int(count)
    except duckdb.Error as error:
        raise StoreError(f"cannot export the store: {str(error).splitlines()[0]}") from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
