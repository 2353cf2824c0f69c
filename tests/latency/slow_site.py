"""A test page whose only problem is a slow render-blocking script in <head>: WSGI, for gunicorn."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

#: How long /static/slow.js takes to arrive.
SLOW_SECONDS = 0.6

PAGE = b"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>A page held up by its script</title>
<script src="/static/slow.js"></script>
</head>
<body><h1>Held up</h1><p>Nothing here is painted until slow.js has arrived.</p></body>
</html>
"""


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """``/`` the page, ``/static/slow.js`` the slow script, ``/ping/`` for readiness."""
    path = environ["PATH_INFO"]
    if path == "/static/slow.js":
        time.sleep(SLOW_SECONDS)
        body, content_type = b"document.title += ' (script ran)';\n", "text/javascript"
    elif path == "/":
        body, content_type = PAGE, "text/html; charset=utf-8"
    elif path == "/ping/":
        body, content_type = b"pong", "text/plain"
    else:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "max-age=60"),
        ("Server-Timing", "app;dur=0.10, total;dur=0.10"),
    ]
    start_response("200 OK", headers)
    return [body]
