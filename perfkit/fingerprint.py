"""SQL fingerprints ("the same query with other parameters") and cache-key patterns."""

from __future__ import annotations

import functools
import hashlib
import re
from urllib.parse import unquote

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
#: statement for the parser (~1 ms each), so they are blanked before the shape is parsed. A
#: quote is escaped by doubling it (and by a backslash in PostgreSQL's E'...'); a string left
#: open runs to the end, because a statement that failed is recorded too.
_NUMBER = r"(?<![\w\"`$.])\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\b"
_LITERALS = re.compile(
    rf"(?<!\w)[eE]'(?:[^'\\]|\\.|'')*(?:'|\Z)|'(?:[^']|'')*(?:'|\Z)|{_NUMBER}", re.DOTALL
)
#: MySQL and MariaDB read a backslash escape in any string, and a double-quoted string as a
#: value (Django quotes their identifiers with backticks); elsewhere "x" is an identifier.
_MYSQL_LITERALS = re.compile(
    rf"""'(?:[^'\\]|\\.|'')*(?:'|\Z)|"(?:[^"\\]|\\.|"")*(?:"|\Z)|{_NUMBER}""", re.DOTALL
)


def _blank(match: re.Match[str]) -> str:
    return "0" if match.group()[0].isdigit() else "''"


@functools.lru_cache(maxsize=4096)
def fingerprint(sql: str, vendor: str = "") -> tuple[str, str]:
    """``(id, normalized_sql)`` for a statement; ids are 16 hex digits, stable across runs.

    ``vendor`` is the connection's ``vendor``: it decides which quotes delimit a value.
    """
    literals = _MYSQL_LITERALS if vendor == "mysql" else _LITERALS
    return _shape(literals.sub(_blank, sql))


@functools.lru_cache(maxsize=4096)
def _shape(sql: str) -> tuple[str, str]:
    normalized = "".join(_normalized_tokens(sql)).strip()
    digest = hashlib.blake2b(normalized.encode(), digest_size=8).hexdigest()
    return digest, normalized


#: A UUID or a run of 8+ hex digits (with at least one digit): one scan for both.
_ID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|\b(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,}\b"
)
_DIGITS = re.compile(r"\d+")
#: A field (between colons) holding an ``@`` or white space is an e-mail address or prose,
#: whose dots (and an address's ``|``) are not separators: the whole field goes.
_PROSE = re.compile(r"(?<![^:])[^:]*?[@\s][^:]*")
_HAS_PROSE = re.compile(r"[@\s]").search
#: What code looks like: short lowercase words, digits only at a word's end, joined by ``-``
#: or ``_``; placeholders count as words. The HTTP methods are the ones Django's cache_page
#: puts in its keys. Mixed case, inner digits, other characters or length mean a value.
_MAX_PART = 24
_WORD = r"(?:[a-z]+\d*|\d+|<uuid>|<hex>|<str>)"
_END = r"(?![^:.|])"
_CODE = rf"(?=[^:.|]{{1,{_MAX_PART}}}{_END})_*{_WORD}(?:[-_]+{_WORD})*_*{_END}|(?:GET|HEAD){_END}"
_VALUE_PART = re.compile(rf"(?<![^:.|])(?!{_CODE})[^:.|]+")
#: What stands for a part that is not code: the part itself is never kept.
VALUE = "<str>"


def _id_placeholder(match: re.Match[str]) -> str:
    return "<uuid>" if "-" in match.group() else "<hex>"


@functools.lru_cache(maxsize=4096)
def key_pattern(key: object) -> str:
    """A cache key with every part that is not code collapsed: never the raw key.

    Parts are what ``:``, ``.`` and ``|`` separate. UUIDs and long hex runs become ``<uuid>``
    and ``<hex>``, a part that does not look like code ``<str>``, and digits ``#``:
    ``user:alice@example.com:profile`` → ``user:<str>:profile``.
    """
    text = _ID.sub(_id_placeholder, str(key))
    if _HAS_PROSE(text):
        text = _PROSE.sub(VALUE, text)
    text = _VALUE_PART.sub(VALUE, text)
    return _DIGITS.sub(PLACEHOLDER, text)


@functools.lru_cache(maxsize=4096)
def path_pattern(target: str) -> str:
    """An HTTP request target's path, each segment collapsed the way a cache key's part is.

    The query string and fragment are dropped, an absolute URL (a request through a proxy)
    loses its scheme and host, and every segment, percent-decoded (so an address or prose is
    seen as one), goes through :func:`key_pattern`:
    ``/api/v1/users/42/orders?page=3`` → ``/api/v#/users/#/orders``. Never the raw path.
    """
    path = target.split("?", 1)[0].split("#", 1)[0]
    if "://" in path:
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    return "/".join(key_pattern(unquote(part)) if part else "" for part in path.split("/"))
