"""``perfkit stack up|status|logs|down``: the full tier stack on free loopback ports."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from perfkit import extras
from perfkit.commands.numbers import whole
from perfkit.commands.paths import check_directory
from perfkit.errors import UsageError

if TYPE_CHECKING:
    from perfkit.stack.options import StackOptions

DEFAULT_RUN_DIR = "perfkit-stack"


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "stack", help="nginx → gunicorn → pgbouncer → PostgreSQL + memcached/Redis, on loopback"
    )
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    up = actions.add_parser("up", help="render middleware/ configs, start and health-check tiers")
    add_options(up)
    up.add_argument(
        "--port", type=whole(0, 65535), default=0, help="nginx's port (default: a free one)"
    )
    up.set_defaults(run=run_up)
    for name, help_text, function in (
        ("status", "tiers, addresses, pids and whether each is running", run_status),
        ("down", "stop every process the stack started", run_down),
    ):
        action = actions.add_parser(name, help=help_text)
        add_run_dir(action)
        action.set_defaults(run=function)
    logs = actions.add_parser("logs", help="the last lines of each tier's log")
    add_run_dir(logs)
    logs.add_argument("tiers", nargs="*", metavar="TIER", help="tiers to show (default: all)")
    logs.add_argument("-n", "--lines", type=whole(1), default=20, help="lines per tier (20)")
    logs.set_defaults(run=run_logs)


def add_run_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--run-dir",
        default=DEFAULT_RUN_DIR,
        help=f"where configs, logs and state live (default: ./{DEFAULT_RUN_DIR})",
    )


def add_options(parser: argparse.ArgumentParser) -> None:
    """The flags that shape the stack (what `perfkit load --matrix` varies, too)."""
    from perfkit.stack.options import CACHES, DEMO_APP, DEMO_SETTINGS, LIMITS, POOLERS, STORES

    add_run_dir(parser)
    parser.add_argument("--app", default=DEMO_APP, help="WSGI app (default: the demo site)")
    parser.add_argument("--settings", default=DEMO_SETTINGS, help="DJANGO_SETTINGS_MODULE")
    parser.add_argument(
        "--app-servers", type=whole(*LIMITS["app_servers"]), default=2, help="gunicorn servers (2)"
    )
    parser.add_argument(
        "--workers", type=whole(*LIMITS["workers"]), default=2, help="workers per app server (2)"
    )
    parser.add_argument(
        "--threads", type=whole(*LIMITS["threads"]), default=1, help="threads per worker (1: sync)"
    )
    parser.add_argument("--cache", choices=CACHES, default="memcached", help="cache tier")
    parser.add_argument("--pooler", choices=POOLERS, default="pgbouncer", help="DB pooler")
    parser.add_argument("--store", choices=STORES, default="postgresql", help="recording store")
    parser.add_argument(
        "--size", type=whole(*LIMITS["size"]), default=50, help="demo stories to seed (50)"
    )


def options_from(args: argparse.Namespace) -> StackOptions:
    """The stack's shape from the command line, checked."""
    from perfkit.stack.options import StackOptions

    if ":" not in args.app:
        raise UsageError(
            f"--app {args.app!r} must be module:callable, e.g. mysite.wsgi:application"
        )
    return StackOptions(
        app=args.app,
        settings=args.settings,
        app_servers=args.app_servers,
        workers=args.workers,
        threads=args.threads,
        cache=args.cache,
        pooler=args.pooler,
        store=args.store,
        size=args.size,
        port=getattr(args, "port", 0),
    )


def run_up(args: argparse.Namespace) -> int:
    from rich.console import Console

    from perfkit.stack import tier_table
    from perfkit.stack.up import up

    if args.port and not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port} is not a TCP port")
    extras.require("stack", "perfkit stack up")
    options = options_from(args)
    check_directory(Path(args.run_dir), "--run-dir")
    console = Console()
    with console.status("starting the stack") as status:
        state = up(Path(args.run_dir), options, lambda text: status.update(f"starting {text}"))
    tier_table.print_tiers(console, state, f"perfkit stack up: {state.run_dir}")
    return 0


def run_status(args: argparse.Namespace) -> int:
    from rich.console import Console

    from perfkit.stack import state, tier_table

    current = state.require(Path(args.run_dir))
    all_up = tier_table.print_tiers(Console(), current, f"perfkit stack status: {current.run_dir}")
    return 0 if all_up else 1


def run_logs(args: argparse.Namespace) -> int:
    from perfkit.stack import state

    current = state.require(Path(args.run_dir))
    names = {t.name for t in current.tiers}
    unknown = [t for t in args.tiers if t not in names]
    if unknown:
        raise UsageError(f"no tier {unknown[0]!r}: the tiers are {', '.join(sorted(names))}")
    for tier in current.tiers:
        if args.tiers and tier.name not in args.tiers:
            continue
        print(f"==> {tier.name} ({tier.log}) <==")
        try:
            lines = Path(tier.log).read_text(errors="replace").splitlines()
        except OSError:
            lines = ["(no log yet)"]
        print("\n".join(lines[-args.lines :]))
    return 0


def run_down(args: argparse.Namespace) -> int:
    from perfkit.stack import state
    from perfkit.stack.down import down

    current = state.require(Path(args.run_dir))
    leftovers = down(current)
    if leftovers:
        print(f"perfkit stack down: processes still running: {leftovers}")
        return 1
    print(f"perfkit stack down: stopped {len(current.tiers)} processes in {current.run_dir}")
    return 0
