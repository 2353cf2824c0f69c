"""Find the tier binaries, naming the Debian package to install when one is missing."""

from __future__ import annotations

import glob
import os
import shutil
import sys

from perfkit.errors import StackError

PACKAGES = {
    "nginx": "nginx",
    "pgbouncer": "pgbouncer",
    "memcached": "memcached",
    "redis-server": "redis-server",
    "initdb": "postgresql",
    "postgres": "postgresql",
    "wrk": "wrk",
}
_PG_BIN_DIRS = "/usr/lib/postgresql/*/bin"


def find(name: str) -> str:
    """The path of ``name``; PostgreSQL's server binaries also come from Debian's versioned dir."""
    override = os.environ.get(f"PERFKIT_{name.upper().replace('-', '_')}")
    if override:
        if not os.access(override, os.X_OK):
            raise StackError(f"{override} (from PERFKIT_{name.upper()}) is not executable")
        return override
    found = shutil.which(name) or shutil.which(name, path=os.path.dirname(sys.executable))
    if found is None and name in ("initdb", "postgres"):
        candidates = sorted(glob.glob(f"{_PG_BIN_DIRS}/{name}"), reverse=True)
        found = candidates[0] if candidates else None
    if found is None and name in PACKAGES:
        raise StackError(f"{name} is not installed: apt-get install -y {PACKAGES[name]}")
    if found is None:
        raise StackError(f"{name} is not installed: pip install {name}")
    return found
