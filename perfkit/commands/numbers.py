"""Argument types for numeric options: a value out of range is one line saying the range."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def whole(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse ``type`` taking a whole number from ``minimum`` to ``maximum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum or (maximum is not None and value > maximum):
            span = f"{minimum} or more" if maximum is None else f"from {minimum} to {maximum}"
            raise argparse.ArgumentTypeError(f"{value} is out of range: give {span}")
        return value

    return parse


def number(minimum: float, maximum: float, above: bool = False) -> Callable[[str], float]:
    """An argparse ``type`` taking a number up to ``maximum``, from (or, with ``above``,
    above) ``minimum``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        low = value <= minimum if above else value < minimum
        if low or not value <= maximum:  # not <=: NaN is out of range too
            start = f"above {minimum:g}" if above else f"from {minimum:g}"
            raise argparse.ArgumentTypeError(
                f"{text} is out of range: give a number {start} to {maximum:g}"
            )
        return value

    return parse
