"""Unused eager loads: ``select_related`` / ``prefetch_related`` rows a view never reads.

A lookup is judged over every tracked request of a view (every persona and size): a level
of it is unused when no request read any of its rows. Only a level that loaded rows is
evidence: a lookup whose rows were all empty (no publisher set, no tags yet) proves
nothing either way and is not reported. A lookup's first unused level decides the fix:
drop the lookup when nothing of it is read, else ask only for the levels that are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from perfkit.analysis.report import UnusedEagerLoad
from perfkit.recording import EagerUse

SELECT = "select_related"

#: (kind, model, lookup, callsite, relation): one lookup as one line of code asked for it;
#: ``relation`` parts a bare ``select_related()`` into the relations it joins.
_Key = tuple[str, str, str, str, str]


@dataclass
class _Level:
    rows: int = 0
    requests: int = 0
    read: bool = False


def unused(uses: Iterable[EagerUse]) -> list[UnusedEagerLoad]:
    """The lookups of a view's tracked requests whose rows were never read, by call site."""
    levels: dict[_Key, dict[str, _Level]] = {}
    for use in uses:
        for load in use.loads:
            relation = "" if load.lookup else load.path.split("__")[0]
            key = (load.kind, load.model, load.lookup, load.callsite, relation)
            level = levels.setdefault(key, {}).setdefault(load.path, _Level())
            level.rows = max(level.rows, load.rows)
            level.requests += 1
            level.read = level.read or load.read
    found = [_verdict(key, by_path) for key, by_path in levels.items()]
    return sorted((f for f in found if f is not None), key=lambda f: (f.callsite, f.kind, f.lookup))


def _verdict(key: _Key, by_path: dict[str, _Level]) -> UnusedEagerLoad | None:
    kind, model, lookup, callsite, _relation = key
    paths = sorted(by_path, key=lambda p: (p.count("__"), p))
    first = next((p for p in paths if not by_path[p].read), None)
    if first is None or by_path[first].rows == 0:
        return None
    shallowest = first == paths[0]
    keep = None if shallowest else first.rpartition("__")[0]
    level = by_path[first]
    found = UnusedEagerLoad(
        kind=kind,
        lookup=lookup,
        unused=first,
        keep=keep,
        model=model,
        callsite=callsite,
        rows=level.rows,
        requests=level.requests,
        fix="",
    )
    found.fix = _fix(found)
    return found


def _fix(found: UnusedEagerLoad) -> str:
    where = f"at {found.callsite}"
    never = f"the view never reads the {found.unused.rpartition('__')[2]} it loads"
    if not found.lookup:
        return (
            f'{found.kind}() also joins "{found.unused}", {never}: name the relations the view '
            f"reads instead ({found.kind}(…)) {where}"
        )
    shown = found.lookup if found.lookup.startswith("Prefetch(") else f'"{found.lookup}"'
    if found.keep is None:
        return f"remove {shown} from {found.kind} {where}: {never}"
    return f'ask for "{found.keep}" instead of {shown} in {found.kind} {where}: {never}'
