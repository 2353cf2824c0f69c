"""Which generated row points at which: skewed parents, persona owners, fanned-out links."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfkit.bench import links


class Row:
    """A row stand-in whose == is true of anything, as some projects' models are."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = object.__hash__


def rows(prefix: str, count: int) -> list[Row]:
    return [Row(f"{prefix}{i}") for i in range(count)]


def test_the_first_parent_gets_every_other_row() -> None:
    parents = rows("p", 4)
    chosen = Counter(p.name for p in links.skewed(parents, 10))
    assert chosen == {"p0": 5, "p1": 2, "p2": 2, "p3": 1}


@pytest.mark.parametrize("n", [8, 16, 40])
def test_personas_own_a_share_of_the_rows_pointing_at_users(n: int) -> None:
    users = rows("u", 3 + n)  # user, staff, superuser, then the generated users
    owners = Counter(u.name for u in links.owned(users, 3, n))
    assert owners["u0"] == n // 2
    assert owners["u1"] == owners["u2"] == n // 8
    assert sum(owners.values()) == n and len(owners) > 3


def test_without_personas_every_user_takes_its_turn() -> None:
    users = rows("u", 4)
    assert [u.name for u in links.owned(users, 0, 6)] == ["u0", "u1", "u2", "u3", "u0", "u1"]


@given(st.integers(1, 40), st.integers(1, 40))
def test_links_fan_out_and_in_each_pair_once_and_no_row_to_itself(
    sources: int, targets: int
) -> None:
    left, right = rows("s", sources), rows("t", targets)
    pairs = links.pairs(left, right)
    assert len({(id(s), id(t)) for s, t in pairs}) == len(pairs)
    assert {id(t) for s, t in pairs if s is left[0]} == {id(t) for t in right}
    assert {id(s) for s, t in pairs if t is right[0]} == {id(s) for s in left}
    per_source = Counter(id(s) for s, _ in pairs)
    assert per_source[id(left[0])] == targets
    assert all(per_source[id(s)] >= min(targets, links.OWN_LINKS) for s in left[1:])


def test_a_row_never_links_to_itself_on_a_self_referential_relation() -> None:
    people = rows("p", 5)
    assert all(s is not t for s, t in links.pairs(people, people))


def test_every_other_row_links_to_the_superuser_and_every_fourth_to_staff() -> None:
    sources, users = rows("s", 40), rows("u", 43)
    linked = Counter(t.name for _, t in links.pairs(sources, users, personas=3))
    assert linked["u0"] == 40
    assert linked["u2"] >= 20 and linked["u1"] >= 10
