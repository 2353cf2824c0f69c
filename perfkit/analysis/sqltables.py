"""Which tables a statement reads and writes, from its parsed tokens (sqlparse)."""

from __future__ import annotations

import functools
import re

import sqlparse
from sqlparse import tokens as T

_READ_AFTER = {"FROM", "JOIN"}
_WRITE_AFTER = {"INTO", "UPDATE"}
_WRITE_STATEMENTS = {"INSERT", "UPDATE", "DELETE", "REPLACE"}


#: A fingerprint's literal placeholder ``#`` (outside quoted names), which sqlparse would read
#: as a MySQL comment running to the end of the line, hiding every table after it.
_PLACEHOLDER = re.compile(r'("[^"]*"|`[^`]*`|\[[^\]]*\])|#')


def _literal(match: re.Match[str]) -> str:
    return match.group(1) or "0"


def _name(value: str) -> str:
    return value.strip('"`[]')


@functools.lru_cache(maxsize=4096)
def tables(sql: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(read, written)`` table names, in order of first appearance."""
    read: list[str] = []
    written: list[str] = []
    for statement in sqlparse.parse(_PLACEHOLDER.sub(_literal, sql)):
        kind = (statement.get_type() or "").upper()
        expecting: list[str] | None = None
        for token in statement.flatten():
            if token.is_whitespace or token.ttype in T.Comment:
                continue
            word = token.normalized.upper() if token.ttype in T.Keyword else ""
            if token.ttype in T.Keyword or token.ttype in T.DML:
                if word.endswith("JOIN") or word in _READ_AFTER:
                    into_delete = kind == "DELETE" and word == "FROM" and not written
                    expecting = written if into_delete else read
                elif (word in _WRITE_AFTER and kind in _WRITE_STATEMENTS) or (
                    token.ttype in T.DML and token.normalized.upper() == "UPDATE"
                ):
                    expecting = written
                else:
                    expecting = None
                continue
            if expecting is not None and (
                token.ttype in T.Name or token.ttype in T.Literal.String.Symbol
            ):
                name = _name(token.value)
                if name not in expecting:
                    expecting.append(name)
                expecting = None
            elif token.ttype not in T.Punctuation:
                expecting = None
    return tuple(read), tuple(written)
