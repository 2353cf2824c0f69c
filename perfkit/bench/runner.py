"""Request each target through Django's handler, at each data size, collecting Recordings."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from perfkit.recording import Recording, current_labels

#: Form data for a write request, or a function of the request's index returning it, so that
#: repeated POSTs can use unique values (slugs, titles).
Data = Mapping[str, Any] | Callable[[int], Mapping[str, Any]] | None


@dataclass(frozen=True)
class Target:
    """One request to exercise: a name that stays the same across sizes, and how to send it."""

    name: str
    path: str
    method: str = "GET"
    data: Data = field(default=None, compare=False)
    user: str | None = None

    def form(self, index: int) -> Mapping[str, Any] | None:
        return self.data(index) if callable(self.data) else self.data


#: The methods a scenario may use: the ones Django's test client sends.
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def request(client: Any, target: Target, index: int) -> Any:
    """Send ``target`` once: GET as a query string, POST as a form, others as JSON."""
    send = getattr(client, target.method.lower())
    data = target.form(index)
    if data is None:
        return send(target.path)
    if target.method in ("GET", "POST"):
        return send(target.path, data)
    return send(target.path, data, content_type="application/json")


def client_for(user: str | None) -> Any:
    """A test client, logged in as ``user`` (no password needed) when one is named."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(raise_request_exception=False)
    if user is not None:
        model = get_user_model()
        client.force_login(model._default_manager.get_by_natural_key(user))
    return client


def ordered(targets: Sequence[Target]) -> list[Target]:
    """Reads first, then writes: a write changes the data the reads at this size should see."""
    return [t for t in targets if t.method == "GET"] + [t for t in targets if t.method != "GET"]


def run(
    sizes: Sequence[int],
    populate: Callable[[int], None],
    targets: Callable[[], list[Target]],
    *,
    repeat: int,
    warmup: int = 1,
    on_size: Callable[[int, list[Target]], None] = lambda size, found: None,
    on_request: Callable[[int, Target], None] = lambda size, target: None,
) -> list[Recording]:
    """Per size: fill the data, then warm up and request every target ``repeat`` times.

    Every recording is labelled with its size, phase (``warmup`` or ``measure``) and target
    name; the measured ones are returned.
    """
    from perfkit.signals import recording_finished

    collected: list[Recording] = []

    def collect(sender: object, recording: Recording, **kwargs: object) -> None:
        if recording.labels.get("phase") == "measure":
            collected.append(recording)

    recording_finished.connect(collect, weak=False, dispatch_uid="perfkit.bench.runner")
    try:
        index = 0
        for size in sizes:
            populate(size)
            found = ordered(targets())
            on_size(size, found)
            for target in found:
                client = client_for(target.user)
                for i in range(warmup + repeat):
                    phase = "warmup" if i < warmup else "measure"
                    labels = {"size": str(size), "phase": phase, "target": target.name}
                    token = current_labels.set(labels)
                    try:
                        request(client, target, index)
                    finally:
                        current_labels.reset(token)
                    index += 1
                    on_request(size, target)
    finally:
        recording_finished.disconnect(dispatch_uid="perfkit.bench.runner")
    return collected
