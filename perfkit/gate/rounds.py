"""Getting the numbers to gate: a bench run in a subprocess, or interleaved rounds against a ref."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from perfkit.errors import GateRunError
from perfkit.gate import baseline
from perfkit.gate.baseline import Baseline
from perfkit.quantiles import median


def bench(tree: Path, cwd: Path, bench_args: Sequence[str], work: Path) -> Baseline:
    """Run ``perfkit bench`` on the code in ``tree`` and return its baseline."""
    work.mkdir(parents=True, exist_ok=True)
    out = work / "baseline.json"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(tree), os.environ.get("PYTHONPATH")])),
    }
    command = [sys.executable, "-m", "perfkit", "bench", "--save-baseline", str(out)]
    command += ["--output", str(work / "report"), *bench_args]
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise GateRunError(f"perfkit bench failed in {tree}: {last}")
    return baseline.load(out)


@contextlib.contextmanager
def worktree(ref: str, repo: Path) -> Iterator[Path]:
    """A detached checkout of ``ref`` in a temporary directory, removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="perfkit-against-")) / "tree"
    added = subprocess.run(
        ["git", "worktree", "add", "--detach", str(path), ref],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    if added.returncode != 0:
        message = (added.stderr.strip().splitlines() or ["git failed"])[-1]
        raise GateRunError(f"cannot check out {ref!r}: {message}")
    try:
        yield path
    finally:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(path)], cwd=repo, capture_output=True
        )
        shutil.rmtree(path.parent, ignore_errors=True)


def repository_root(cwd: Path) -> Path:
    found = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True, text=True
    )
    if found.returncode != 0:
        raise GateRunError("--against needs a git repository: run perfkit gate inside one")
    return Path(found.stdout.strip())


def _medians(result: Baseline) -> dict[str, float]:
    medians = {}
    for view, sizes in result.latency_ms.items():
        numeric = [s for s in sizes if s.isdigit() and sizes[s]]
        if numeric:
            medians[view] = median(sizes[max(numeric, key=int)])
    return medians


def interleaved(
    ref: str,
    cwd: Path,
    bench_args: Sequence[str],
    rounds: int,
    on_round: Callable[[int], None] = lambda i: None,
) -> tuple[Baseline, Baseline, dict[str, tuple[list[float], list[float]]]]:
    """Bench ``ref`` and the working tree alternately; (ref's run, this tree's run, pairs)."""
    repo = repository_root(cwd)
    relative = cwd.resolve().relative_to(repo)
    work = Path(tempfile.mkdtemp(prefix="perfkit-rounds-"))
    pairs: dict[str, tuple[list[float], list[float]]] = {}
    try:
        with worktree(ref, repo) as other:
            sides = {"ref": (other, other / relative), "head": (repo, cwd)}
            runs: dict[str, Baseline] = {}
            for i in range(rounds):
                order = ("ref", "head") if i % 2 == 0 else ("head", "ref")
                for side in order:
                    tree, where = sides[side]
                    runs[side] = bench(tree, where, bench_args, work / f"{side}-{i}")
                before, after = _medians(runs["ref"]), _medians(runs["head"])
                for view in sorted(set(before) & set(after)):
                    pair = pairs.setdefault(view, ([], []))
                    pair[0].append(before[view])
                    pair[1].append(after[view])
                on_round(i)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return runs["ref"], runs["head"], pairs
