"""Perf snapshots: a test's query shapes and cache calls, kept in a reviewable JSON file."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

from perfkit.testing import messages
from perfkit.testing.recorder import Recorded

UPDATE_HINT = (
    "If the change is intended, rerun with --perfkit-update-snapshots "
    "(or PERFKIT_UPDATE_SNAPSHOTS=1) and commit the new file."
)


def snapshot(recorded: Recorded) -> dict[str, list[dict[str, Any]]]:
    """Query shapes (fingerprint, normalized SQL, count) and cache calls; no timings, sorted."""
    queries: dict[tuple[str, str], dict[str, Any]] = {}
    for query in recorded.queries:
        entry = queries.setdefault(
            (query.alias, query.fingerprint),
            {"alias": query.alias, "fingerprint": query.fingerprint, "sql": query.sql, "count": 0},
        )
        entry["count"] += 1
    cache: dict[tuple[str, str, str], dict[str, Any]] = {}
    for op in recorded.cache_ops:
        entry = cache.setdefault(
            (op.alias, op.op, op.key_pattern),
            {"alias": op.alias, "op": op.op, "key_pattern": op.key_pattern, "count": 0},
        )
        entry["count"] += 1
    return {
        "queries": [queries[key] for key in sorted(queries, key=lambda k: (queries[k]["sql"], k))],
        "cache": [cache[key] for key in sorted(cache)],
    }


def render(data: dict[str, list[dict[str, Any]]]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def check_snapshot(recorded: Recorded, path: Path, *, update: bool = False) -> str:
    """Compare the block with the snapshot at ``path``: "written", "updated" or "unchanged".

    A missing file is written; with ``update`` a changed one is rewritten; otherwise a change
    fails with what changed (and the call sites of new or grown queries) and a unified diff.
    """
    __tracebackhide__ = True
    new = render(snapshot(recorded))
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new, encoding="utf-8")
        return "written"
    old = path.read_text(encoding="utf-8")
    if old == new:
        return "unchanged"
    if update:
        path.write_text(new, encoding="utf-8")
        return "updated"
    raise AssertionError(_changed(path, old, new, recorded))


def _changed(path: Path, old: str, new: str, recorded: Recorded) -> str:
    shown = _shown(path)
    lines = [f"perf snapshot {shown} changed:"]
    try:
        lines += _summary(json.loads(old), json.loads(new), recorded)
    except (ValueError, KeyError, TypeError):
        lines.append(f"{messages.INDENT}the file is not a perfkit snapshot")
    diff = difflib.unified_diff(
        old.splitlines(), new.splitlines(), f"{shown} (snapshot)", "this run", lineterm=""
    )
    return "\n".join([*lines, *diff, UPDATE_HINT])


def _shown(path: Path) -> Path:
    """The path relative to the current directory when it is inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _summary(old: dict, new: dict, recorded: Recorded) -> list[str]:
    lines = []
    before = {(q["alias"], q["fingerprint"]): q for q in old["queries"]}
    after = {(q["alias"], q["fingerprint"]): q for q in new["queries"]}
    sites = {(q.alias, q.fingerprint): q.callsite for q in reversed(recorded.queries)}
    for key, query in after.items():
        was = before.get(key, {}).get("count", 0)
        if query["count"] != was:
            lines.append(f"{messages.INDENT}{_counts(was, query['count'])} {query['sql']}")
            if sites.get(key):
                lines.append(f"{messages.INDENT}   at {sites[key]}")
    for key, query in before.items():
        if key not in after:
            lines.append(f"{messages.INDENT}{_counts(query['count'], 0)} {query['sql']}")
    ops_before = {(c["alias"], c["op"], c["key_pattern"]): c["count"] for c in old["cache"]}
    ops_after = {(c["alias"], c["op"], c["key_pattern"]): c["count"] for c in new["cache"]}
    for op_key in sorted(ops_before.keys() | ops_after.keys()):
        was, now = ops_before.get(op_key, 0), ops_after.get(op_key, 0)
        if was != now:
            alias, op, pattern = op_key
            lines.append(f"{messages.INDENT}{_counts(was, now)} cache {op} {pattern} on {alias}")
    return lines


def _counts(was: int, now: int) -> str:
    if not was:
        return f"new: {now}×"
    if not now:
        return f"gone: {was}×"
    return f"{was}× → {now}×"
