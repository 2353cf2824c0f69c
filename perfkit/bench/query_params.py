"""Query-string parameters a view reads, filled so that search pages list rows.

A search view requested without its parameter shows an empty form and no per-row work. bench
reads the view's own source (never a library's) for ``request.GET["q"]``,
``request.GET.get("q")`` or DRF's ``request.query_params``, and a DRF view's ``SearchFilter``
with ``search_fields``; a parameter named like a search box gets a letter most generated text
holds.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from typing import Any

#: Names a search box goes by.
SEARCH_NAMES = frozenset({"q", "query", "search", "s", "term", "keyword", "keywords", "text"})
#: What bench searches for: generated text (random letters) holds it in most rows.
SEARCH_VALUE = "a"

_READS = re.compile(r"""\b(?:GET|query_params)\s*(?:\.get\(|\[)\s*["']([A-Za-z_][\w-]*)["']""")


def read_by(callback: Any) -> dict[str, str]:
    """The query parameters ``callback``'s view reads that bench fills, with their values."""
    found: dict[str, str] = {}
    for code in _own_code(callback):
        try:
            source = inspect.getsource(code)
        except (OSError, TypeError):  # built at run time, or no source shipped
            continue
        for name in _READS.findall(source):
            if name in SEARCH_NAMES:
                found.setdefault(name, SEARCH_VALUE)
    search = _drf_search_param(callback)
    if search is not None:
        found.setdefault(search, SEARCH_VALUE)
    return found


def _views(callback: Any) -> Iterator[Any]:
    """The callback, what it wraps, and the class-based view behind it."""
    seen = callback
    while seen is not None:
        yield seen
        view = getattr(seen, "view_class", None) or getattr(seen, "cls", None)
        if view is not None:
            yield view
        seen = getattr(seen, "__wrapped__", None)


def _own_code(callback: Any) -> Iterator[Any]:
    """Functions and classes of the project's own (not installed packages') behind a route."""
    for code in _views(callback):
        for part in inspect.getmro(code) if inspect.isclass(code) else (code,):
            if part is not object and _project_file(part):
                yield part


def _project_file(code: Any) -> bool:
    try:
        path = inspect.getsourcefile(code)
    except TypeError:
        return False
    return path is not None and "site-packages" not in path and "dist-packages" not in path


def _drf_search_param(callback: Any) -> str | None:
    """DRF's ``SearchFilter`` parameter, where the view has ``search_fields`` to search."""
    for view in _views(callback):
        if not inspect.isclass(view) or not getattr(view, "search_fields", None):
            continue
        for backend in getattr(view, "filter_backends", None) or ():
            param = getattr(backend, "search_param", None)
            if isinstance(param, str) and param:
                return param
    return None
