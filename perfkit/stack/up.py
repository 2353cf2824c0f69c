"""`perfkit stack up`: render the configs, start every tier, migrate and seed, health-check."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from perfkit.stack import StackError, binaries, down, health, ports, processes
from perfkit.stack.options import StackOptions
from perfkit.stack.render import render
from perfkit.stack.state import StackState, Tier, load

# Every pid `up` started, kept after `down`, so a check for leftovers needs no state file.
STARTED_LOG = "started.pids"
DB_USER = "perfkit"
DB_NAME = "perfkit"
# The account scenarios/mixed.py logs in with (the demo only, on loopback).
LOAD_USER = "loadtest"
_LOAD_USER = (
    "from django.contrib.auth.models import User; "
    f"User.objects.create_superuser({LOAD_USER!r}, '', {LOAD_USER!r})"
)


def up(run_dir: Path, options: StackOptions, progress: Callable[[str], None]) -> StackState:
    """Start the stack in ``run_dir``; on any failure stop what was started and raise."""
    run_dir = run_dir.resolve()
    tools = _binaries(options)
    _refuse_running(run_dir)
    if options.port and not ports.is_free(options.port):
        raise StackError(f"port {options.port} is already taken on 127.0.0.1: pick another")
    for sub in ("logs", "nginx-tmp", "static", "media", "conf"):
        (run_dir / sub).mkdir(parents=True, exist_ok=True)
    (run_dir / "logs" / STARTED_LOG).unlink(missing_ok=True)
    user = processes.unprivileged_user()
    private = _private_dir(run_dir, user)
    state = StackState(
        run_dir=str(run_dir),
        url="",
        database_url="",
        store_url="",
        cache_url="",
        pooler_admin_url="",
        private_dir=str(private),
        options=options.to_dict(),
    )
    state.save()
    try:
        _start_all(state, options, tools, user, progress)
    except BaseException:
        down.down(state)
        raise
    return state


def _binaries(options: StackOptions) -> dict[str, str]:
    names = ["initdb", "postgres", "nginx"]
    if options.pooler == "pgbouncer":
        names.append("pgbouncer")
    if options.cache == "memcached":
        names.append("memcached")
    if "redis" in (options.cache, options.store):
        names.append("redis-server")
    return {name: binaries.find(name) for name in names}


def _refuse_running(run_dir: Path) -> None:
    state = load(run_dir)
    if state is None:
        return
    if any(processes.alive(t.pid) for t in state.tiers):
        raise StackError(
            f"a stack is already up in {run_dir} ({state.url or 'starting'}): "
            "run 'perfkit stack down' first"
        )
    down.down(state)


def _private_dir(run_dir: Path, user: str | None) -> Path:
    """Where unprivileged tiers write: the run dir itself unless perfkit runs as root."""
    if user is None:
        path = run_dir / "private"
        path.mkdir(exist_ok=True)
        return path
    path = Path(tempfile.mkdtemp(prefix="perfkit-stack-"))
    shutil.chown(path, user=user, group=user)
    return path


def _start_all(
    state: StackState,
    options: StackOptions,
    tools: dict[str, str],
    user: str | None,
    progress: Callable[[str], None],
) -> None:
    run_dir, private = Path(state.run_dir), Path(state.private_dir)
    logs = run_dir / "logs"

    def started(name: str, kind: str, address: str, argv: list[str], **kwargs: object) -> Tier:
        log = logs / f"{name}.log"
        pid = processes.start(argv, log, **kwargs)  # type: ignore[arg-type]
        with open(logs / STARTED_LOG, "a") as started_log:
            started_log.write(f"{name} {pid}\n")
        tier = Tier(name, kind, address, pid, str(log))
        state.tiers.append(tier)
        state.save()
        return tier

    progress("PostgreSQL: initdb")
    pg_port = ports.free_port()
    pgdata = private / "pgdata"
    initdb = subprocess.run(
        [
            tools["initdb"],
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
        cwd=private,
        user=user,
        capture_output=True,
        text=True,
        check=False,
    )
    if initdb.returncode != 0:
        raise StackError(f"initdb failed: {(initdb.stderr or initdb.stdout).strip()[-300:]}")
    pgconf = render(
        "postgresql.conf",
        run_dir / "conf" / "postgresql.conf",
        port=pg_port,
        max_connections=max(100, options.app_servers * options.workers * 4),
    )
    with open(pgdata / "postgresql.conf", "a") as conf:
        conf.write(pgconf.read_text())
    direct = f"postgresql://{DB_USER}@127.0.0.1:{pg_port}"
    pg = started(
        "postgresql",
        "postgresql",
        f"127.0.0.1:{pg_port}",
        [tools["postgres"], "-D", str(pgdata)],
        cwd=private,
        user=user,
    )
    health.wait_for(
        "postgresql", pg.pid, Path(pg.log), lambda: health.postgres_ok(f"{direct}/postgres")
    )
    pg.stop_signal = 2  # SIGINT: PostgreSQL's fast shutdown
    _create_database(f"{direct}/postgres")
    state.database_url = f"{direct}/{DB_NAME}"
    state.store_url = state.database_url

    if options.pooler == "pgbouncer":
        progress("pgbouncer")
        pgb_port = ports.free_port()
        (private / "pgbouncer-users.txt").write_text(f'"{DB_USER}" ""\n')
        ini = render(
            "pgbouncer.ini",
            private / "pgbouncer.ini",
            pool_dir=str(private),
            port=pgb_port,
            pg_port=pg_port,
            database=DB_NAME,
            user=DB_USER,
            pool_size=options.pool_size,
        )
        if user:
            for path in (ini, private / "pgbouncer-users.txt"):
                shutil.chown(path, user=user, group=user)
        pgb = started(
            "pgbouncer",
            "pgbouncer",
            f"127.0.0.1:{pgb_port}",
            [tools["pgbouncer"], str(ini)],
            cwd=private,
            user=user,
        )
        pooled = f"postgresql://{DB_USER}@127.0.0.1:{pgb_port}/{DB_NAME}"
        health.wait_for("pgbouncer", pgb.pid, Path(pgb.log), lambda: health.postgres_ok(pooled))
        state.database_url = pooled
        state.pooler_admin_url = f"postgresql://{DB_USER}@127.0.0.1:{pgb_port}/pgbouncer"

    redis_port = 0
    if "redis" in (options.cache, options.store):
        progress("Redis")
        redis_port = ports.free_port()
        conf = render(
            "redis.conf",
            run_dir / "conf" / "redis.conf",
            run_dir=str(run_dir),
            port=redis_port,
            memory_mb=128,
        )
        redis = started(
            "redis",
            "redis",
            f"127.0.0.1:{redis_port}",
            [tools["redis-server"], str(conf)],
            cwd=run_dir,
        )
        health.wait_for(
            "redis",
            redis.pid,
            Path(redis.log),
            lambda: health.tcp_command(redis_port, b"PING\r\n", b"+PONG"),
        )
        if options.store == "redis":
            state.store_url = f"redis://127.0.0.1:{redis_port}/1"
    if options.cache == "redis":
        state.cache_url = f"redis://127.0.0.1:{redis_port}/0"
    elif options.cache == "memcached":
        progress("memcached")
        mc_port = ports.free_port()
        conf = render(
            "memcached.conf",
            run_dir / "conf" / "memcached.conf",
            port=mc_port,
            user="",
            memory_mb=64,
        )
        argv = [tools["memcached"], *_option_lines(conf)]
        mc = started("memcached", "memcached", f"127.0.0.1:{mc_port}", argv, user=user)
        health.wait_for(
            "memcached",
            mc.pid,
            Path(mc.log),
            lambda: health.tcp_command(mc_port, b"version\r\n", b"VERSION"),
        )
        state.cache_url = f"memcached://127.0.0.1:{mc_port}"
    else:
        state.cache_url = "none"
    state.save()

    env = _app_env(state, options, run_dir)
    if options.is_demo:
        progress(f"demo site: migrate, seed {options.size}, collectstatic")
        _prepare_demo(env, {**env, "PERFKIT_DEMO_DATABASE_URL": f"{direct}/{DB_NAME}"}, options)

    upstreams = []
    for index in range(1, options.app_servers + 1):
        name = f"app{index}"
        progress(f"gunicorn {name}")
        port = ports.free_port()
        conf = render(
            "gunicorn.conf.py",
            run_dir / "conf" / f"{name}.conf.py",
            run_dir=str(run_dir),
            name=name,
            port=port,
            workers=options.workers,
            threads=options.threads,
        )
        app = started(
            name,
            "app",
            f"127.0.0.1:{port}",
            [sys.executable, "-m", "gunicorn", "-c", str(conf), options.app],
            env=env,
            cwd=Path.cwd(),
        )
        probe = f"http://127.0.0.1:{port}/{'ping/' if options.is_demo else ''}"
        health.wait_for(name, app.pid, Path(app.log), lambda probe=probe: health.http_ok(probe))
        upstreams.append(f"127.0.0.1:{port}")

    progress("nginx")
    port = options.port or ports.free_port()
    conf = render(
        "nginx.conf",
        run_dir / "conf" / "nginx.conf",
        run_dir=str(run_dir),
        user="root" if user else "",
        port=port,
        app_servers=upstreams,
        static_root=str(run_dir / "static"),
        media_root=str(run_dir / "media"),
    )
    log = run_dir / "logs" / "nginx-error.log"
    nginx = started(
        "nginx",
        "nginx",
        f"127.0.0.1:{port}",
        [tools["nginx"], "-p", str(run_dir), "-e", str(log), "-c", str(conf)],
    )
    nginx.log = str(log)
    state.url = f"http://127.0.0.1:{port}"
    health.wait_for("nginx", nginx.pid, log, lambda: health.http_ok(f"{state.url}/nginx-health"))
    probe = f"{state.url}/{'ping/' if options.is_demo else ''}"
    health.wait_for("nginx → app", nginx.pid, log, lambda: health.http_ok(probe))
    state.save()


def _option_lines(conf: Path) -> list[str]:
    """Command-line options from a Debian-style options file (``-p 11211`` per line)."""
    argv: list[str] = []
    for line in conf.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            argv.extend(line.split(None, 1))
    return argv


def _create_database(admin_conninfo: str) -> None:
    import psycopg

    with psycopg.connect(admin_conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def _app_env(state: StackState, options: StackOptions, run_dir: Path) -> dict[str, str]:
    cwd = os.getcwd()
    python_path = os.pathsep.join(p for p in (cwd, os.environ.get("PYTHONPATH", "")) if p)
    return {
        **os.environ,
        "PYTHONPATH": python_path,
        "DJANGO_SETTINGS_MODULE": options.settings,
        "PERFKIT_STACK_DATABASE_URL": state.database_url,
        "PERFKIT_STACK_CACHE_URL": state.cache_url,
        "PERFKIT_DEMO_DATABASE_URL": state.database_url,
        "PERFKIT_DEMO_CACHE": state.cache_url,
        "PERFKIT_DEMO_DEBUG": "0",
        "PERFKIT_DEMO_STATIC_ROOT": str(run_dir / "static"),
        "PERFKIT_DEMO_MEDIA_ROOT": str(run_dir / "media"),
        "PERFKIT_STORE": state.store_url,
    }


def _prepare_demo(env: dict[str, str], direct_env: dict[str, str], options: StackOptions) -> None:
    steps = (
        ["migrate", "-v", "0"],
        ["demo_seed", str(options.size)],
        ["collectstatic", "--noinput", "-v", "0"],
        ["shell", "-c", _LOAD_USER],
    )
    for step in steps:
        done = subprocess.run(
            [sys.executable, "-m", "perfkit.demo", *step],
            env=direct_env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            lines = (done.stderr or done.stdout).strip().splitlines() or ["(no output)"]
            raise StackError(f"demo {step[0]} failed: {lines[-1][:300]}")
