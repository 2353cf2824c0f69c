"""``--profile``: each flagged view's slowest request, sent again under pyinstrument, as HTML."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from perfkit import labels
from perfkit.analysis.report import Report
from perfkit.bench.plan import Plan
from perfkit.bench.runner import Target, client_for, request
from perfkit.recording import Recording, current_labels

FOLDER = "profiles"
#: Sample every 0.1 ms: a request takes a few milliseconds, pyinstrument's 1 ms default
#: would see a handful of frames.
INTERVAL = 0.0001
_UNSAFE = re.compile(r"[^\w.-]+")


def profile_flagged(report: Report, recordings: list[Recording], plan: Plan, output: Path) -> int:
    """Profile each flagged view's slowest measured request; set ``profile`` to the HTML path.

    The data is rebuilt at that request's size first (generation is deterministic), so the
    request meets the same rows. Returns how many profiles were written.
    """
    flagged = {view.view: view for view in report.flagged()}
    slowest: dict[str, Recording] = {}
    for recording in recordings:
        best = slowest.get(recording.view)
        if recording.view in flagged and (best is None or recording.wall_ms > best.wall_ms):
            slowest[recording.view] = recording
    by_size: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for view, recording in slowest.items():
        by_size[int(recording.labels[labels.SIZE])].append((view, recording.labels[labels.TARGET]))
    (output / FOLDER).mkdir(parents=True, exist_ok=True)
    written = 0
    for size, wanted in sorted(by_size.items()):
        plan.populate(size)
        targets = {labels.target_label(target.name): target for target in plan.targets()}
        for view, name in wanted:
            if name not in targets:
                continue
            relative = f"{FOLDER}/{_UNSAFE.sub('_', view)}.html"
            (output / relative).write_text(profile_html(targets[name], size))
            flagged[view].profile = relative
            written += 1
    return written


def profile_html(target: Target, size: int) -> str:
    """One warm-up request, then one under pyinstrument; its self-contained HTML page."""
    from pyinstrument import Profiler

    client = client_for(target.user)
    token = current_labels.set(labels.bench(size, labels.PROFILE, target.name))
    try:
        request(client, target, 0)
        profiler = Profiler(interval=INTERVAL)
        profiler.start()
        try:
            request(client, target, 1)
        finally:
            profiler.stop()
    finally:
        current_labels.reset(token)
    return profiler.output_html()
