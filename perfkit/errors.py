"""How perfkit says what went wrong: one line a user can read, for every error it reports."""

from __future__ import annotations


def one_line(error: BaseException) -> str:
    """``Type: first line of the message``, for errors a user has to read."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
