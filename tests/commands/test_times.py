"""Points in time on the command line: durations back from now, ISO date-times, bad input."""

from __future__ import annotations

import pytest

from perfkit.commands.times import parse_since, parse_time
from perfkit.errors import UsageError


def test_durations_count_back_from_now() -> None:
    assert parse_time("45s", now=1000.0, option="--x") == 955.0
    assert parse_time("30m", now=10_000.0, option="--x") == 8_200.0
    assert parse_time("1.5h", now=10_000.0, option="--x") == 4_600.0
    assert parse_time(" 2d ", now=200_000.0, option="--x") == 200_000.0 - 172_800


def test_iso_date_times() -> None:
    assert parse_time("2026-11-28T12:00:00+00:00", now=0, option="--x") == 1795867200.0
    assert parse_time("2026-11-28 12:00:00+01:00", now=0, option="--x") == 1795863600.0


@pytest.mark.parametrize("text", ["yesterday", "30", "-2d", "2w", "", "30 d"])
def test_anything_else_names_the_option(text: str) -> None:
    with pytest.raises(UsageError, match=rf"^--older-than '{text}' is neither a duration"):
        parse_time(text, now=0, option="--older-than")


def test_since_is_optional() -> None:
    assert parse_since(None, now=5) is None
    assert parse_since("1m", now=100.0) == 40.0
    with pytest.raises(UsageError, match=r"^--since 'soon' is neither"):
        parse_since("soon", now=0)
