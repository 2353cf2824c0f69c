"""Which generated row points at which, so per-row queries have rows to show at every size.

A foreign key's first parent gets half the children; the rest spread. Rows that point at the
user model go to the personas first (the plain user owns half), so per-user pages list
something. Many-to-many links fan out: the first row links to every target and every row to
the first target, so one parent's list grows with n; each row also gets a few links of its
own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

#: Links each row gets besides the fan-out: more than one, so that a per-row ``.all()`` in a
#: template loops over something on every row.
OWN_LINKS = 3

#: Who owns each of eight rows that point at the user model: 0 the plain user, 1 staff, 2 the
#: superuser (the personas lead the user rows), None any other user.
_OWNERS = (0, None, 0, 2, 0, None, 0, 1)


def skewed(parents: Sequence[Any], n: int) -> Iterator[Any]:
    """``n`` parents: the first one for every other row, the others in turn."""
    others = parents[1:] or parents
    for i in range(n):
        yield parents[0] if i % 2 == 0 else others[(i // 2) % len(others)]


def owned(users: Sequence[Any], personas: int, n: int) -> Iterator[Any]:
    """``n`` users for rows pointing at the user model, the first ``personas`` of them personas.

    The plain user owns half the rows, staff and the superuser an eighth each, and the other
    users the rest in turn.
    """
    others = users[personas:] or users
    spread = 0
    for i in range(n):
        owner = _OWNERS[i % len(_OWNERS)]
        if owner is not None and owner < personas:
            yield users[owner]
        else:
            yield others[spread % len(others)]
            spread += 1


def pairs(
    sources: Sequence[Any], targets: Sequence[Any], personas: int = 0
) -> list[tuple[Any, Any]]:
    """Many-to-many links from ``sources`` to ``targets``, each pair once, no row to itself.

    The first source links to every target and every source to the first target (fan-out and
    fan-in of n); each source also links to the :data:`OWN_LINKS` targets after its own
    index (fewer where they wrap round to the first). Where the targets are users whose
    first ``personas`` are personas, every other source also links to the superuser and
    every fourth to staff.
    """
    if not sources or not targets:
        return []
    found: dict[tuple[int, int], tuple[Any, Any]] = {}

    def link(source: Any, target: Any) -> None:
        # Identity, not ==: a project's __eq__ may not expect a row of another model.
        if source is not target:
            found.setdefault((id(source), id(target)), (source, target))

    for target in targets:
        link(sources[0], target)
    for i, source in enumerate(sources):
        link(source, targets[0])
        for k in range(1, OWN_LINKS + 1):
            link(source, targets[(i + k) % len(targets)])
        if personas > 2 and i % 2 == 1:
            link(source, targets[2])
        if personas > 1 and i % 4 == 2:
            link(source, targets[1])
    return list(found.values())
