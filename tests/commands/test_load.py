"""``perfkit load --rate``: a rate it cannot read, or one that does not mix, is one line, exit 2."""

from __future__ import annotations

import pytest

from perfkit.cli import main
from perfkit.commands.load import parse_rate


@pytest.mark.parametrize(
    ("text", "rate"), [("200/s", 200.0), ("200", 200.0), ("12000/m", 200.0), ("0.5/s", 0.5)]
)
def test_rates_per_second_and_per_minute(text: str, rate: float) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--rate", "0"], "--rate '0' is not a rate like 200/s"),
        (["--rate", "fast"], "--rate 'fast' is not a rate like 200/s"),
        (["--rate", "10/h"], "--rate '10/h' is not a rate"),
        (["--rate=-5/s"], "--rate '-5/s' is not a rate"),
        (["--rate", "200001"], "is over 100000/s"),
        (["--rate", "20/s", "--spawn-rate", "5"], "--spawn-rate is for --users runs"),
    ],
)
def test_a_bad_rate_is_one_line_and_exit_2(
    args: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["load", "browse", "--host", "http://127.0.0.1:9", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("perfkit: error: ") and says in err
