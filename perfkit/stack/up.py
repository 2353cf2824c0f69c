"""`perfkit stack up`: render the configs, start every tier, migrate and seed, health-check."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from perfkit.errors import StackError
from perfkit.stack import binaries, down, ports, processes, tiers
from perfkit.stack.options import StackOptions
from perfkit.stack.state import StackState, load
from perfkit.stack.tiers import STARTED_LOG, Launcher

# The account the shipped load scenario 'mixed' logs in with (the demo only, on loopback).
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
        _start_all(Launcher(state, options, tools, user, progress))
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


def _start_all(launch: Launcher) -> None:
    state, options = launch.state, launch.options
    pg_port = tiers.postgresql(launch)
    direct_url = state.database_url
    if options.pooler == "pgbouncer":
        tiers.pgbouncer(launch, pg_port)
    if "redis" in (options.cache, options.store):
        redis_port = tiers.redis(launch)
        if options.store == "redis":
            state.store_url = f"redis://127.0.0.1:{redis_port}/1"
        if options.cache == "redis":
            state.cache_url = f"redis://127.0.0.1:{redis_port}/0"
    if options.cache == "memcached":
        state.cache_url = f"memcached://127.0.0.1:{tiers.memcached(launch)}"
    elif options.cache == "none":
        state.cache_url = "none"
    state.save()
    env = _app_env(state, options, launch.run_dir)
    if options.is_demo:
        launch.progress(f"demo site: migrate, seed {options.size}, collectstatic")
        _prepare_demo({**env, "PERFKIT_DEMO_DATABASE_URL": direct_url}, options)
    tiers.nginx(launch, tiers.app_servers(launch, env))
    state.save()


def _app_env(state: StackState, options: StackOptions, run_dir: Path) -> dict[str, str]:
    cwd = os.getcwd()
    python_path = os.pathsep.join(p for p in (cwd, os.environ.get("PYTHONPATH", "")) if p)
    return {
        **os.environ,
        "PYTHONPATH": python_path,
        "DJANGO_SETTINGS_MODULE": options.settings,
        "PERFKIT_STACK_DATABASE_URL": state.database_url,
        "PERFKIT_STACK_CACHE_URL": state.cache_url,
        "PERFKIT_STACK_STATIC_ROOT": str(run_dir / "static"),
        "PERFKIT_STACK_MEDIA_ROOT": str(run_dir / "media"),
        "PERFKIT_DEMO_DATABASE_URL": state.database_url,
        "PERFKIT_DEMO_CACHE": state.cache_url,
        "PERFKIT_DEMO_DEBUG": "0",
        "PERFKIT_DEMO_STATIC_ROOT": str(run_dir / "static"),
        "PERFKIT_DEMO_MEDIA_ROOT": str(run_dir / "media"),
        "PERFKIT_STORE": state.store_url,
    }


def _prepare_demo(direct_env: dict[str, str], options: StackOptions) -> None:
    """Migrate, seed and collect static files straight into PostgreSQL, not via pgbouncer."""
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
