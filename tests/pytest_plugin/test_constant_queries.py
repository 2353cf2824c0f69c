"""assert_constant_queries: O(1) views pass, O(n) ones fail with the fit and the fix."""

from __future__ import annotations

import sys

import pytest

from perfkit.demo.data import populate
from perfkit.demo.models import Story
from perfkit.testing import assert_constant_queries

pytestmark = pytest.mark.django_db


def test_the_fixed_list_is_constant() -> None:
    fit = assert_constant_queries("/stories/", sizes=(5, 20), setup=populate)
    assert (fit.verdict, fit.points, fit.formula()) == ("O(1)", [(5, 2), (20, 2)], "queries ≈ 2")


def test_the_slow_list_fails_with_the_fit_each_grown_query_and_the_fix(client) -> None:
    with pytest.raises(AssertionError) as failure:
        assert_constant_queries("/stories/slow/", sizes=(20, 5), setup=populate, client=client)
    lines = str(failure.value).splitlines()
    assert lines[0] == "/stories/slow/ is O(n): queries ≈ 1 + 2·n (n=5: 11, n=20: 41 queries)"
    assert lines[1] == "queries that grew from n=5 to n=20:"
    assert lines[2].startswith('  5× → 20× SELECT "demo_author"."id"')
    assert "story_list_slow.html:9 via perfkit/demo/views.py:" in lines[3]
    assert lines[4] == '     fix: select_related("author")'
    assert lines[5].startswith('  5× → 20× SELECT "demo_tag"."id"')
    assert "story_list_slow.html:10 via perfkit/demo/views.py:" in lines[6]
    assert lines[7] == '     fix: prefetch_related("tags")'
    assert len(lines) == 8


def test_a_callable_is_placed_on_the_line_that_queries() -> None:
    line = sys._getframe().f_lineno + 6

    def bylines() -> list[str]:
        names = []
        # A loop, not a comprehension: on Python < 3.12 a comprehension is its own frame.
        for story in Story.objects.all():
            names.append(story.author.name)
        return names

    with pytest.raises(AssertionError) as failure:
        assert_constant_queries(bylines, sizes=(5, 10, 20), setup=populate)
    message = str(failure.value)
    assert message.startswith(
        "test_a_callable_is_placed_on_the_line_that_queries.<locals>.bylines is O(n): "
        "queries ≈ 1 + 1·n (n=5: 6, n=10: 11, n=20: 21 queries)"
    )
    assert f"at tests/pytest_plugin/test_constant_queries.py:{line} in bylines" in message
    assert 'fix: select_related("author")' in message


def test_a_view_answering_an_error_fails_instead_of_counting_it() -> None:
    with pytest.raises(AssertionError, match=r"^GET /stories/999/ answered 404; expected a page"):
        assert_constant_queries("/stories/999/", setup=populate)


@pytest.mark.parametrize("sizes", [(5,), (5, 5), (-1, 5)])
def test_sizes_must_be_two_or_more_different_sizes(sizes: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="give two or more different sizes"):
        assert_constant_queries("/stories/", sizes=sizes)
