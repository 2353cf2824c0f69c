"""Find the system's Chromium and the flags it needs to run headless as root in a container."""

from __future__ import annotations

import os
import shutil

from perfkit.errors import UsageError

NAMES = ("chromium", "chromium-browser", "google-chrome")
ENV = "PERFKIT_CHROMIUM"
INSTALL_HINT = "install it (Debian: apt-get install chromium) or pass --browser PATH"

#: No sandbox (root in a container has none to offer), and nothing that talks to the
#: network behind the page's back and would skew its timing.
ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)


def find(explicit: str | None = None) -> str:
    """The browser to drive: ``--browser``, else $PERFKIT_CHROMIUM, else the first on PATH."""
    chosen = explicit or os.environ.get(ENV)
    if chosen:
        source = "--browser" if explicit else f"${ENV}"
        path = shutil.which(chosen)
        if path is None:
            raise UsageError(f"{source} {chosen!r} is not an executable browser; {INSTALL_HINT}")
        return path
    for name in NAMES:
        path = shutil.which(name)
        if path:
            return path
    raise UsageError(
        f"no Chromium found (looked for {', '.join(NAMES)} on PATH and ${ENV}); {INSTALL_HINT}"
    )
