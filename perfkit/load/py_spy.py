"""`--profile`: py-spy records the gunicorn workers (``--subprocesses --idle``) during a run."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from perfkit.load.result import Profile
from perfkit.stack import binaries


@dataclass
class Profiler:
    """The py-spy processes of one run and the files they write."""

    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    files: list[Profile] = field(default_factory=list)


def find() -> str:
    """py-spy's path (on PATH or beside this Python), or a one-line error saying how to get it."""
    return binaries.find("py-spy")


def start(py_spy: str, targets: dict[str, int], out_dir: Path, duration_s: float) -> Profiler:
    """One speedscope and one flame-graph recording per app server master pid."""
    profiler = Profiler()
    for name, pid in targets.items():
        for fmt, suffix in (("speedscope", "speedscope.json"), ("flamegraph", "flame.svg")):
            path = out_dir / f"profile-{name}.{suffix}"
            argv = [
                py_spy,
                "record",
                "--pid",
                str(pid),
                "--subprocesses",
                "--idle",
                "--nonblocking",
                "-f",
                fmt,
                "-o",
                str(path),
                "-d",
                str(max(1, int(duration_s))),
            ]
            with open(out_dir / f"py-spy-{name}-{fmt}.log", "ab") as log:
                profiler.processes.append(
                    subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
                )
            profiler.files.append(Profile(app_server=name, format=fmt, path=str(path)))
    return profiler


def finish(profiler: Profiler, timeout: float) -> list[Profile]:
    """Wait for py-spy to write its files; return those that exist."""
    for process in profiler.processes:
        try:
            process.wait(timeout=max(timeout, 0.001))
        except subprocess.TimeoutExpired:
            process.terminate()
            process.wait(timeout=10)
    return [f for f in profiler.files if Path(f.path).is_file()]
