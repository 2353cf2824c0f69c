"""``perfkit bench``: exercise the demo site's views at several data sizes and report."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path

from perfkit.commands.errors import UsageError


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "bench",
        help="run the bundled demo site in-process at several data sizes and report per view",
    )
    parser.add_argument("--sizes", default="10,50", help="data sizes, comma-separated (10,50)")
    parser.add_argument("--repeat", type=int, default=5, help="measured requests per URL (5)")
    parser.add_argument(
        "--output", default="perfkit-report", help="directory for the report (perfkit-report)"
    )
    parser.set_defaults(run=run)


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise UsageError(
            f"--sizes {text!r} is not a list of whole numbers; try --sizes 10,50"
        ) from None
    if len(sizes) < 2 or sizes[0] < 1:
        raise UsageError(f"--sizes {text!r} needs two or more sizes above 0; try --sizes 10,50")
    return sizes


def run(args: argparse.Namespace) -> int:
    sizes = parse_sizes(args.sizes)
    if args.repeat < 1:
        raise UsageError(f"--repeat {args.repeat} must be 1 or more")
    output = Path(args.output)
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot create --output {output}: {error.strerror}") from None

    from rich.console import Console
    from rich.progress import Progress

    from perfkit.analysis.views import per_view, scaling
    from perfkit.bench import demo, runner
    from perfkit.renderers import terminal
    from perfkit.store import writer

    console = Console()
    demo.setup_demo(f"jsonl://{output.resolve() / 'recordings.jsonl'}")
    with Progress(console=console, transient=True) as progress:
        per_size = (len(demo.VIEWS) + 1) * (args.repeat + 1)
        task = progress.add_task("benchmarking views", total=len(sizes) * per_size)
        recordings = runner.run(
            sizes,
            demo.populate,
            demo.targets,
            repeat=args.repeat,
            on_request=lambda: progress.advance(task),
        )
    writer.flush()
    stats = per_view(recordings)
    fits = scaling(stats)
    terminal.render(stats, fits, console)
    report = {
        "sizes": sizes,
        "views": [asdict(s) for s in stats],
        "scaling": {view: asdict(fit) for view, fit in fits.items()},
    }
    (output / "bench.json").write_text(json.dumps(report, indent=2, sort_keys=True))
    console.print(f"Report written to {output / 'bench.json'}")
    return 0
