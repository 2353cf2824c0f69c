"""The one output layer: every report file perfkit writes goes through here.

- ``write_text``: UTF-8, written beside the target and moved over it in one step, so a
  reader (or a CI job cut short) sees the old file or the new one, never half of either;
- ``json_text``: a ``schema`` key first, sorted keys, two-space indent, NaN and infinities
  as ``null`` (JSON has no spelling for them);
- ``html``: one Jinja environment for every HTML report (autoescape, strict undefined, the
  templates shipped in ``perfkit/templates/reports``) with a Content-Security-Policy that
  lets a page run no script and fetch nothing.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

#: Belt and braces: even if a string slipped through unescaped, a report page could run no
#: script and fetch nothing (styles are inline, images only data: URLs).
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8, replacing the old file only once all is written.

    A path that is there but is no regular file (``/dev/stdout``, a pipe, a device) is
    written in place: replacing it would swap the device for a file.
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        with path.open("w", encoding="utf-8") as file:
            file.write(text)
        return
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def finite(value: Any) -> Any:
    """``value`` with every NaN and infinity, however deep, replaced by None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(item) for item in value]
    return value


def json_text(data: Mapping[str, Any], schema: int) -> str:
    """``data`` as a JSON document with its ``schema`` version, stable to diff between runs."""
    document = finite({"schema": schema, **data})
    return (
        json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
    )


def html(template: str, filters: Mapping[str, Callable[..., Any]], **context: Any) -> str:
    """Render the report template ``template`` with ``filters``; ``csp`` is always given."""
    from jinja2 import TemplateNotFound

    environment = _environment().overlay()
    environment.filters.update(filters)
    try:
        page = environment.get_template(template)
    except TemplateNotFound:
        raise ValueError(f"no report template {template!r}") from None
    return page.render(csp=CSP, **context)


@cache
def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("perfkit", "templates/reports"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
