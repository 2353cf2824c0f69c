"""The one set of formatters: a file's size."""

from __future__ import annotations

import pytest

from perfkit.renderers.formatting import file_size


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (0, "0 B"),
        (999, "999 B"),
        (1000, "1.0 kB"),
        (15_471, "15.5 kB"),
        (176_282, "176 kB"),
        (1_998_399_917, "2.0 GB"),
        (5 * 10**12, "5000 GB"),
    ],
)
def test_a_file_size_is_in_decimal_units_with_a_decimal_below_100(size: int, shown: str) -> None:
    assert file_size(size) == shown
