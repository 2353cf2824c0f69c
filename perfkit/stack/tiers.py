"""Start each tier from its rendered template and wait until it answers."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from perfkit.errors import StackError
from perfkit.stack import ports, processes, readiness
from perfkit.stack.options import StackOptions
from perfkit.stack.render import render
from perfkit.stack.state import StackState, Tier

if TYPE_CHECKING:
    from typing import Unpack

# Every pid `up` started, kept after `down`, so a check for leftovers needs no state file.
STARTED_LOG = "started.pids"
DB_USER = "perfkit"
DB_NAME = "perfkit"
SIGINT = 2  # PostgreSQL's fast shutdown


class _StartOptions(TypedDict, total=False):
    """How ``processes.start`` runs a tier's process."""

    env: dict[str, str] | None
    cwd: Path | None
    user: str | None


@dataclass
class Launcher:
    """What every tier needs: the state it adds itself to, binaries, the unprivileged user."""

    state: StackState
    options: StackOptions
    tools: dict[str, str]
    user: str | None
    progress: Callable[[str], None]

    @property
    def run_dir(self) -> Path:
        return Path(self.state.run_dir)

    @property
    def private(self) -> Path:
        return Path(self.state.private_dir)

    def conf(self, name: str) -> Path:
        return self.run_dir / "conf" / name

    def start(
        self,
        name: str,
        kind: str,
        port: int,
        argv: list[str],
        ready: Callable[[], bool],
        log: Path | None = None,
        **kwargs: Unpack[_StartOptions],
    ) -> Tier:
        """Start a tier, record it in the state and the started-pids log, wait until ready."""
        logs = self.run_dir / "logs"
        output = logs / f"{name}.log"
        pid = processes.start(argv, output, **kwargs)
        with open(logs / STARTED_LOG, "a") as started:
            started.write(f"{name} {pid}\n")
        tier = Tier(name, kind, f"127.0.0.1:{port}", pid, str(log or output))
        self.state.tiers.append(tier)
        self.state.save()
        readiness.wait_for(name, pid, Path(tier.log), ready)
        return tier


def postgresql(launch: Launcher) -> int:
    """initdb a private cluster, start it, create the app's database; return its port."""
    launch.progress("PostgreSQL: initdb")
    pgdata = launch.private / "pgdata"
    initdb = subprocess.run(
        [
            launch.tools["initdb"],
            "-D",
            str(pgdata),
            "-U",
            DB_USER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        ],
        cwd=launch.private,
        user=launch.user,
        capture_output=True,
        text=True,
        check=False,
    )
    if initdb.returncode != 0:
        raise StackError(f"initdb failed: {(initdb.stderr or initdb.stdout).strip()[-300:]}")
    port = ports.free_port()
    servers = launch.options.app_servers * launch.options.workers * launch.options.threads
    conf = render(
        "postgresql.conf",
        launch.conf("postgresql.conf"),
        port=port,
        max_connections=max(100, servers * 4),
    )
    with open(pgdata / "postgresql.conf", "a") as cluster_conf:
        cluster_conf.write(conf.read_text())
    admin = f"postgresql://{DB_USER}@127.0.0.1:{port}/postgres"
    launch.progress("PostgreSQL")
    tier = launch.start(
        "postgresql",
        "postgresql",
        port,
        [launch.tools["postgres"], "-D", str(pgdata)],
        lambda: readiness.postgres_ok(admin),
        cwd=launch.private,
        user=launch.user,
    )
    tier.stop_signal = SIGINT
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    launch.state.database_url = f"postgresql://{DB_USER}@127.0.0.1:{port}/{DB_NAME}"
    launch.state.store_url = launch.state.database_url
    return port


def pgbouncer(launch: Launcher, pg_port: int) -> None:
    """pgbouncer in transaction mode in front of PostgreSQL; the app connects through it."""
    launch.progress("pgbouncer")
    port = ports.free_port()
    users = launch.private / "pgbouncer-users.txt"
    users.write_text(f'"{DB_USER}" ""\n')
    ini = render(
        "pgbouncer.ini",
        launch.private / "pgbouncer.ini",
        pool_dir=str(launch.private),
        port=port,
        pg_port=pg_port,
        database=DB_NAME,
        user=DB_USER,
        pool_size=launch.options.pool_size,
    )
    if launch.user:
        for path in (ini, users):
            shutil.chown(path, user=launch.user, group=launch.user)
    pooled = f"postgresql://{DB_USER}@127.0.0.1:{port}/{DB_NAME}"
    launch.start(
        "pgbouncer",
        "pgbouncer",
        port,
        [launch.tools["pgbouncer"], str(ini)],
        lambda: readiness.postgres_ok(pooled),
        cwd=launch.private,
        user=launch.user,
    )
    launch.state.database_url = pooled
    launch.state.pooler_admin_url = f"postgresql://{DB_USER}@127.0.0.1:{port}/pgbouncer"


def redis(launch: Launcher) -> int:
    """Redis for the cache and/or the store; return its port."""
    launch.progress("Redis")
    port = ports.free_port()
    conf = render(
        "redis.conf",
        launch.conf("redis.conf"),
        run_dir=str(launch.run_dir),
        port=port,
        memory_mb=128,
    )
    launch.start(
        "redis",
        "redis",
        port,
        [launch.tools["redis-server"], str(conf)],
        lambda: readiness.tcp_command(port, b"PING\r\n", b"+PONG"),
        cwd=launch.run_dir,
    )
    return port


def memcached(launch: Launcher) -> int:
    """memcached as the cache; return its port."""
    launch.progress("memcached")
    port = ports.free_port()
    conf = render("memcached.conf", launch.conf("memcached.conf"), port=port, user="", memory_mb=64)
    launch.start(
        "memcached",
        "memcached",
        port,
        [launch.tools["memcached"], *option_lines(conf)],
        lambda: readiness.tcp_command(port, b"version\r\n", b"VERSION"),
        user=launch.user,
    )
    return port


def app_servers(launch: Launcher, env: dict[str, str]) -> list[str]:
    """N gunicorn servers with the app; return their addresses for nginx's upstream."""
    addresses = []
    path = "ping/" if launch.options.is_demo else ""
    for index in range(1, launch.options.app_servers + 1):
        name = f"app{index}"
        launch.progress(f"gunicorn {name}")
        port = ports.free_port()
        conf = render(
            "gunicorn.conf.py",
            launch.conf(f"{name}.conf.py"),
            run_dir=str(launch.run_dir),
            name=name,
            port=port,
            workers=launch.options.workers,
            threads=launch.options.threads,
        )
        probe = f"http://127.0.0.1:{port}/{path}"
        launch.start(
            name,
            "app",
            port,
            [sys.executable, "-m", "gunicorn", "-c", str(conf), launch.options.app],
            functools.partial(readiness.http_ok, probe),
            env=env,
            cwd=Path.cwd(),
        )
        addresses.append(f"127.0.0.1:{port}")
    return addresses


def nginx(launch: Launcher, upstreams: list[str]) -> None:
    """nginx as the load balancer and static/media server; checked through to an app server."""
    launch.progress("nginx")
    port = launch.options.port or ports.free_port()
    conf = render(
        "nginx.conf",
        launch.conf("nginx.conf"),
        run_dir=str(launch.run_dir),
        user="root" if launch.user else "",
        port=port,
        app_servers=upstreams,
        static_root=str(launch.run_dir / "static"),
        media_root=str(launch.run_dir / "media"),
    )
    url = f"http://127.0.0.1:{port}"
    probe = f"{url}/{'ping/' if launch.options.is_demo else ''}"
    error_log = launch.run_dir / "logs" / "nginx-error.log"
    launch.start(
        "nginx",
        "nginx",
        port,
        [launch.tools["nginx"], "-p", str(launch.run_dir), "-e", str(error_log), "-c", str(conf)],
        lambda: readiness.http_ok(f"{url}/nginx-health") and readiness.http_ok(probe),
        log=error_log,
    )
    launch.state.url = url


def option_lines(conf: Path) -> list[str]:
    """Command-line options from a Debian-style options file (``-p 11211`` per line)."""
    argv: list[str] = []
    for line in conf.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            argv.extend(line.split(None, 1))
    return argv
