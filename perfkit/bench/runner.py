"""Request each target through Django's handler, at each data size, collecting Recordings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from perfkit.recording import Recording, current_labels


@dataclass(frozen=True)
class Target:
    """One URL to exercise."""

    name: str
    path: str


def run(
    sizes: Sequence[int],
    populate: Callable[[int], None],
    targets: Callable[[], list[Target]],
    *,
    repeat: int,
    warmup: int = 1,
    on_request: Callable[[], None] = lambda: None,
) -> list[Recording]:
    """Warm up, then request every target ``repeat`` times per size; return the recordings."""
    from django.test import Client

    from perfkit.signals import recording_finished

    collected: list[Recording] = []

    def collect(sender: object, recording: Recording, **kwargs: object) -> None:
        if recording.labels.get("phase") == "measure":
            collected.append(recording)

    recording_finished.connect(collect, weak=False, dispatch_uid="perfkit.bench.runner")
    try:
        client = Client(raise_request_exception=False)
        for size in sizes:
            populate(size)
            for target in targets():
                for i in range(warmup + repeat):
                    phase = "warmup" if i < warmup else "measure"
                    token = current_labels.set({"size": str(size), "phase": phase})
                    try:
                        client.get(target.path)
                    finally:
                        current_labels.reset(token)
                    on_request()
    finally:
        recording_finished.disconnect(dispatch_uid="perfkit.bench.runner")
    return collected
