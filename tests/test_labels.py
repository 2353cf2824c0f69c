"""The bench labels: a target keeps its path, never the values of its query string."""

from __future__ import annotations

from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st

from perfkit import labels

_VALUES = st.text(min_size=4).filter(lambda v: "=" not in v and "&" not in v)
_NAMES = st.text(alphabet="abcdefghij_", min_size=1, max_size=8)


@given(st.dictionaries(_NAMES, _VALUES, min_size=1, max_size=4))
def test_a_target_label_keeps_no_query_value(query: dict[str, str]) -> None:
    target = "/search/?" + urlencode(query)
    label = labels.bench(5, labels.MEASURE, target)[labels.TARGET]
    assert label == "/search/?" + "&".join(f"{name}=…" for name in query)


def test_a_target_without_a_query_string_is_its_name() -> None:
    assert labels.target_label("/books/<slug>/") == "/books/<slug>/"
    assert labels.target_label("/books/?") == "/books/?"
