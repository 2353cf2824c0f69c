"""The default target: the bundled demo site under gunicorn, behind nginx when there is one."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import httpx

from perfkit.errors import UsageError

PATHS = ("/", "/stories/", "/stories/slow/")
SIZE = 50
STARTUP_SECONDS = 30

_NGINX_CONF = """\
daemon off;
master_process off;
worker_processes 1;
pid {root}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 256; }}
http {{
  {mime}
  access_log off;
  client_body_temp_path {root}/nginx-body;
  proxy_temp_path {root}/nginx-proxy;
  fastcgi_temp_path {root}/nginx-fastcgi;
  uwsgi_temp_path {root}/nginx-uwsgi;
  scgi_temp_path {root}/nginx-scgi;
  server {{
    listen 127.0.0.1:{port};
    location /static/ {{ alias {root}/static/; }}
    location / {{
      proxy_pass http://127.0.0.1:{upstream};
      proxy_set_header Host $http_host;
    }}
  }}
}}
"""


@dataclass
class DemoSite:
    """A running demo: the pages to measure, and how it is served."""

    urls: list[str]
    description: str


def running_stack(run_dir: Path) -> DemoSite | None:
    """The demo on a stack that ``perfkit stack up`` started in ``run_dir`` and that answers."""
    import httpx

    from perfkit.errors import StackError
    from perfkit.stack import state

    try:
        found = state.load(run_dir)
    except StackError:
        return None
    if found is None or found.options.get("app", "perfkit.demo.wsgi:application") != (
        "perfkit.demo.wsgi:application"
    ):
        return None
    try:
        httpx.get(f"{found.url}/ping/", timeout=2).raise_for_status()
    except httpx.HTTPError:
        return None
    return DemoSite(
        [f"{found.url}{path}" for path in PATHS],
        f"the demo site on the running stack ({run_dir}: nginx → gunicorn → pgbouncer → "
        "PostgreSQL)",
    )


@contextmanager
def demo_site(root: Path | None = None) -> Iterator[DemoSite]:
    """Migrate and seed a demo database, start the servers, stop them on the way out."""
    if find_spec("gunicorn") is None:
        raise UsageError(
            "the default target runs the demo under gunicorn: pip install gunicorn, "
            "or give the URLs to measure"
        )
    with ExitStack() as stack:
        if root is None:
            root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="perfkit-")))
        nginx = shutil.which("nginx")
        env = _prepare(root, static=nginx is not None)
        app = "perfkit.demo.wsgi:application" if nginx else "perfkit.latency.demo_wsgi:application"
        upstream = _free_port()
        gunicorn = [sys.executable, "-m", "gunicorn", "--workers", "2"]
        stack.enter_context(_process([*gunicorn, "--bind", f"127.0.0.1:{upstream}", app], env))
        port = upstream
        if nginx:
            port = _free_port()
            conf = root / "nginx.conf"
            conf.write_text(_nginx_conf(root, port, upstream))
            stack.enter_context(_process([nginx, "-e", "stderr", "-p", str(root), "-c", str(conf)]))
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base)
        served = "gunicorn (2 workers), static files by nginx" if nginx else "gunicorn (2 workers)"
        yield DemoSite(
            [base + path for path in PATHS], f"the bundled demo site ({SIZE} stories) on {served}"
        )


def _prepare(root: Path, static: bool) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "perfkit.demo.settings",
        "PERFKIT_DEMO_DB": str(root / "demo.sqlite3"),
        "PERFKIT_DEMO_DEBUG": "0",
        "PERFKIT_DEMO_STATIC_ROOT": str(root / "static"),
        "PERFKIT_STORE": f"sqlite:///{root / 'perfkit.sqlite3'}",
    }
    commands = [["migrate", "-v", "0"], ["demo_seed", str(SIZE)]]
    if static:
        commands.append(["collectstatic", "--noinput", "-v", "0"])
    for command in commands:
        done = subprocess.run(
            [sys.executable, "-m", "perfkit.demo", *command], env=env, capture_output=True
        )
        if done.returncode != 0:
            last = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
            raise UsageError(f"preparing the demo site failed ({' '.join(command)}): {last}")
    return env


def _nginx_conf(root: Path, port: int, upstream: int) -> str:
    mime = Path("/etc/nginx/mime.types")
    types = f"include {mime};" if mime.exists() else "types { text/css css; }"
    return _NGINX_CONF.format(root=root, port=port, upstream=upstream, mime=types)


@contextmanager
def _process(argv: list[str], env: dict[str, str] | None = None) -> Iterator[None]:
    process = subprocess.Popen(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/"
    )
    try:
        time.sleep(0.05)
        if process.poll() is not None:
            raise UsageError(f"{Path(argv[0]).name} exited at once (status {process.returncode})")
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(base: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            httpx.get(f"{base}/ping/", timeout=1).raise_for_status()
            httpx.get(f"{base}/static/demo/site.css", timeout=1).raise_for_status()
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise UsageError(f"the demo site at {base} did not answer") from None
            time.sleep(0.1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
