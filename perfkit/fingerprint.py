"""SQL fingerprints ("the same query with other parameters") and cache-key patterns."""

from __future__ import annotations

import functools
import hashlib
import re

import sqlparse
from sqlparse import tokens as T

PLACEHOLDER = "#"

_PLACEHOLDER_VALUES = {"%s", "?"}
_BOOLEANS = {"TRUE", "FALSE"}


def _normalized_tokens(sql: str) -> list[str]:
    out: list[str] = []
    previous_keyword = ""
    for statement in sqlparse.parse(sql):
        for token in statement.flatten():
            ttype = token.ttype
            if ttype in T.Whitespace or ttype in T.Newline or ttype in T.Comment:
                if out and out[-1] != " ":
                    out.append(" ")
                continue
            value = token.value
            if previous_keyword.endswith("SAVEPOINT"):
                value = PLACEHOLDER
            elif ttype in T.Literal.String.Symbol:
                pass
            elif (
                ttype in T.Literal
                or value in _PLACEHOLDER_VALUES
                or ttype in T.Name.Placeholder
                or (ttype in T.Keyword and value.upper() in _BOOLEANS)
            ):
                value = PLACEHOLDER
            elif ttype in T.Keyword:
                value = value.upper()
            previous_keyword = value.upper() if ttype in T.Keyword else ""
            out.append(value)
    return _collapse_in_lists(out)


def _collapse_in_lists(parts: list[str]) -> list[str]:
    """``IN (#, #, #)`` → ``IN (...)``, so list length does not split a fingerprint."""
    out: list[str] = []
    i = 0
    while i < len(parts):
        out.append(parts[i])
        if parts[i] in ("IN", "VALUES"):
            j = i + 1
            while j < len(parts) and parts[j] == " ":
                j += 1
            if j < len(parts) and parts[j] == "(":
                k = j + 1
                while k < len(parts) and parts[k] in (PLACEHOLDER, ",", " "):
                    k += 1
                if k < len(parts) and parts[k] == ")" and PLACEHOLDER in parts[j:k]:
                    out.append(" (...)")
                    i = k + 1
                    continue
        i += 1
    return out


#: Literals written into the SQL text (not passed as parameters): every value would be a new
#: statement for the parser (~1 ms each), so they are blanked before the shape is parsed.
_LITERALS = re.compile(r"'(?:[^']|'')*'|(?<![\w\"`$.])\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\b")


def _blank(match: re.Match[str]) -> str:
    return "''" if match.group().startswith("'") else "0"


@functools.lru_cache(maxsize=4096)
def fingerprint(sql: str) -> tuple[str, str]:
    """``(id, normalized_sql)`` for a statement; ids are 16 hex digits, stable across runs."""
    return _shape(_LITERALS.sub(_blank, sql))


@functools.lru_cache(maxsize=4096)
def _shape(sql: str) -> tuple[str, str]:
    normalized = "".join(_normalized_tokens(sql)).strip()
    digest = hashlib.blake2b(normalized.encode(), digest_size=8).hexdigest()
    return digest, normalized


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_HEX = re.compile(r"\b(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,}\b")
_DIGITS = re.compile(r"\d+")


@functools.lru_cache(maxsize=4096)
def key_pattern(key: object) -> str:
    """A cache key with UUIDs, long hex strings and numbers collapsed: never the raw key."""
    text = str(key)
    text = _UUID.sub("<uuid>", text)
    text = _HEX.sub("<hex>", text)
    return _DIGITS.sub("#", text)
