"""How long ``perfkit bench`` takes on a project of 250 routes and 40 models, beside the demo.

Both run as a user runs them, ``perfkit bench`` in a subprocess at the default sizes, one
after the other in the same session: the ratio to the demo's time carries to other machines,
the seconds are this one's. CPU seconds are taken too (a busy machine stretches wall time,
not the work). Run with ``make benchmarks`` or ``pytest benchmarks/test_bench_speed.py -s``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks import generated_project

#: Four apps of ten models, every model in the admin: about 250 routes.
APPS, MODELS = 4, 10


def timed_bench(cwd: Path, *args: str) -> tuple[float, float, dict]:
    """Wall and CPU seconds of one ``perfkit bench`` run in ``cwd``, and its JSON report."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "perfkit", "bench", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert done.returncode == 0, done.stderr[-2000:]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, json.loads((cwd / "perfkit-report" / "bench.json").read_text())


def route_count(cwd: Path) -> int:
    """The URL patterns of the generated project, as bench's discovery walks them."""
    code = (
        "import django; django.setup(); from perfkit.bench.discovery import routes; "
        "print(len(routes()))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env={"DJANGO_SETTINGS_MODULE": "genproject.settings", "PYTHONPATH": str(cwd)},
    )
    return int(done.stdout)


def test_a_250_route_project_against_the_demo(tmp_path: Path, benchmark: pytest.FixtureDef) -> None:
    project = generated_project.write(tmp_path / "project", APPS, MODELS)
    demo_dir = tmp_path / "demo"
    demo_dir.mkdir()
    demo_wall, demo_cpu, _ = timed_bench(demo_dir)
    wall, cpu, report = benchmark.pedantic(
        timed_bench, args=(project, "--settings", "genproject.settings"), rounds=1, iterations=1
    )
    routes = route_count(project)
    benchmark.extra_info.update(
        routes=routes,
        requests=report["records"],
        wall_s=round(wall, 1),
        cpu_s=round(cpu, 1),
        demo_wall_s=round(demo_wall, 1),
        ratio_to_demo=round(wall / demo_wall, 1),
    )
    print(
        f"\n{routes} routes, {report['records']} measured requests: {wall:.1f} s "
        f"({cpu:.1f} s CPU), ×{wall / demo_wall:.1f} the demo's {demo_wall:.1f} s "
        f"({demo_cpu:.1f} s CPU)"
    )
    assert routes >= 250
