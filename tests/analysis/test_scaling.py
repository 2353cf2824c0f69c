"""The O(n) verdict."""

from __future__ import annotations

from perfkit.analysis.scaling import fit


def test_linear_growth_is_o_n_with_its_formula() -> None:
    result = fit([(10, 21), (50, 101)], has_n_plus_one=True)
    assert (result.intercept, result.slope, result.verdict) == (1.0, 2.0, "O(n)")
    assert result.formula() == "queries ≈ 1 + 2·n"


def test_flat_count_is_constant() -> None:
    result = fit([(10, 2), (50, 2), (100, 2)], has_n_plus_one=False)
    assert (result.slope, result.verdict, result.formula()) == (0.0, "O(1)", "queries ≈ 2")


def test_a_full_page_with_per_row_queries_is_o_n_per_page() -> None:
    result = fit([(30, 51), (60, 51)], has_n_plus_one=True)
    assert result.verdict == "O(n) per page"
    assert "N+1 per row" in result.formula()


def test_one_size_cannot_be_fitted() -> None:
    assert fit([(10, 21), (10, 21)], has_n_plus_one=True) is None


def test_a_step_of_a_query_or_two_without_a_per_row_group_is_not_growth() -> None:
    assert fit([(5, 3), (30, 4)], has_n_plus_one=False).verdict == "O(1)"
    assert fit([(5, 3), (30, 5)], has_n_plus_one=False).verdict == "O(1)"
    assert fit([(5, 3), (30, 6)], has_n_plus_one=False).verdict == "O(n)"
    assert fit([(5, 3), (30, 4)], has_n_plus_one=True).verdict == "O(n)"
