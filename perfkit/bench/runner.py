"""Request each target through Django's handler, at each data size, collecting Recordings."""

from __future__ import annotations

import contextlib
import functools
import signal
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perfkit import labels
from perfkit.bench.failures import explain
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
    #: Who the request is sent as (:mod:`perfkit.bench.personas`): a label of its recordings.
    persona: str | None = None
    #: Sent once already at this size (the login probe's request): that was a warm-up.
    warm: bool = field(default=False, compare=False)

    def form(self, index: int) -> Mapping[str, Any] | None:
        return self.data(index) if callable(self.data) else self.data


#: The methods a scenario may use: the ones Django's test client sends.
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


#: The longest one request may take (``--request-timeout``). A page that runs away (one
#: NetBox list grew by 200 MB every 10 s on generated data) is stopped there and reported,
#: not left to end the run.
REQUEST_SECONDS = 30.0


class RequestTimeout(Exception):
    """Raised inside a request that ran past :data:`REQUEST_SECONDS`."""


def request(client: Any, target: Target, index: int, seconds: float = REQUEST_SECONDS) -> Any:
    """Send ``target`` once: GET as a query string, POST as a form, others as JSON.

    The request is stopped with :class:`RequestTimeout` past ``seconds`` (a signal timer, so
    only in the main thread): Django answers it as a 500 carrying the exception.
    """
    send = getattr(client, target.method.lower())
    data = target.form(index)
    with _deadline(seconds):
        if data is None:
            response = send(target.path)
        elif target.method in ("GET", "POST"):
            response = send(target.path, data)
        else:
            response = send(target.path, data, content_type="application/json")
        if response.streaming:
            # A stream's work (an export's per-row queries) happens as it is read; the test
            # client reads nothing by itself, and closes the response once it is read.
            for _chunk in response.streaming_content:
                pass
        return response


def timed_out(response: Any) -> bool:
    """Whether ``response`` is the 500 of a request stopped at its deadline."""
    exc_info = getattr(response, "exc_info", None)
    return bool(exc_info and isinstance(exc_info[1], RequestTimeout))


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise RequestTimeout(f"the request took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def client_for(user: str | None) -> Any:
    """A test client, logged in as ``user`` (no password needed) when one is named.

    Each client is new (its own cookies and session) but they share one request handler: a
    new handler loads the project's middleware again, and WhiteNoise's alone walks every
    static file when it loads (45% of a Baby Buddy run, a client per target).
    """
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.handler = _handler(tuple(settings.MIDDLEWARE))
    if user is not None:
        model = get_user_model()
        client.force_login(model._default_manager.get_by_natural_key(user))
    return client


@functools.lru_cache(maxsize=4)
def _handler(middleware: tuple[str, ...]) -> Any:
    """One test-client handler per middleware list, its middleware loaded once."""
    from django.test.client import ClientHandler

    return ClientHandler(enforce_csrf_checks=False)  # as Client() makes it


def ordered(targets: Sequence[Target]) -> list[Target]:
    """Reads first, then writes: a write changes the data the reads at this size should see."""
    return [t for t in targets if t.method == "GET"] + [t for t in targets if t.method != "GET"]


@dataclass
class Outcomes:
    """What the recordings cannot say: why a target's requests failed, in one line each.

    ``errors`` holds the exception a view raised (Django answered 500), ``broken`` a request
    that failed before Django answered at all; both by target name, the first one seen.
    """

    root: Path = field(default_factory=Path.cwd)
    errors: dict[str, str] = field(default_factory=dict)
    broken: dict[str, str] = field(default_factory=dict)

    def note(self, target: Target, response: Any) -> bool:
        """Note a response's exception; True when the target must not be requested again."""
        exc_info = getattr(response, "exc_info", None)
        if exc_info and target.name not in self.errors:
            self.errors[target.name] = explain(exc_info[1], self.root)
        if timed_out(response):
            assert exc_info is not None  # a timed-out response carries its exception
            self.broken.setdefault(target.name, f"stopped: {exc_info[1]}")
            return True
        return False


def run(
    sizes: Sequence[int],
    populate: Callable[[int], None],
    targets: Callable[[], list[Target]],
    *,
    repeat: int,
    warmup: int = 1,
    on_size: Callable[[int, list[Target]], None] = lambda size, found: None,
    on_request: Callable[[int, Target], None] = lambda size, target: None,
    outcomes: Outcomes | None = None,
    seconds: float = REQUEST_SECONDS,
    after_size: Callable[[int, list[Recording]], None] = lambda size, measured: None,
) -> list[Recording]:
    """Per size: fill the data, then warm up and request every target ``repeat`` times.

    ``after_size`` gets each size's measured recordings while that size's data is still in
    place (bench explains query plans there).

    Every recording is labelled with its size, phase (``warmup`` or ``measure``) and target
    name; the measured ones are returned. A request that raises is noted in ``outcomes`` and
    its target is not requested again at that size: one broken page never ends the run.
    """
    from perfkit.signals import recording_finished

    outcomes = Outcomes() if outcomes is None else outcomes
    collected: list[Recording] = []

    def collect(sender: object, recording: Recording, **kwargs: object) -> None:
        if recording.labels.get(labels.PHASE) == labels.MEASURE:
            collected.append(recording)

    recording_finished.connect(collect, weak=False, dispatch_uid="perfkit.bench.runner")
    try:
        index = 0
        for size in sizes:
            populate(size)
            start = len(collected)
            found = ordered(targets())
            on_size(size, found)
            for target in found:
                if target.name in outcomes.broken:
                    continue  # it ran past its deadline at a smaller size: larger is slower
                sent = _exercise(
                    target, size, index, (warmup, repeat, seconds), outcomes, on_request
                )
                index += sent
            after_size(size, collected[start:])
    finally:
        recording_finished.disconnect(dispatch_uid="perfkit.bench.runner")
    return collected


def clear_caches() -> None:
    """Empty every cache alias but the one holding sessions (the persona stays logged in)."""
    from django.conf import settings
    from django.core.cache import caches

    engine = getattr(settings, "SESSION_ENGINE", "")
    sessions = getattr(settings, "SESSION_CACHE_ALIAS", "default") if "cache" in engine else None
    for alias in settings.CACHES:
        if alias != sessions:
            with contextlib.suppress(Exception):  # a backend that cannot clear stays warm
                caches[alias].clear()


def _exercise(
    target: Target,
    size: int,
    index: int,
    counts: tuple[int, int, float],
    outcomes: Outcomes,
    on_request: Callable[[int, Target], None],
) -> int:
    """Send ``target`` ``warmup`` then ``repeat`` times, each within ``seconds``: ``counts``.

    The first measured request runs on emptied caches (labelled ``cache: cold``), the others
    on what the earlier ones left (``cache: warm``).

    Returns how many were sent.
    """
    warmup, repeat, seconds = counts
    if target.warm:
        warmup = max(warmup - 1, 0)
    sent = 0
    try:
        client = client_for(target.user)
        for i in range(warmup + repeat):
            phase = labels.WARMUP if i < warmup else labels.MEASURE
            request_labels = labels.bench(size, phase, target.name)
            if target.persona is not None:
                request_labels[labels.PERSONA] = target.persona
            if i == warmup:
                clear_caches()
                request_labels[labels.CACHE] = labels.COLD
            elif phase == labels.MEASURE:
                request_labels[labels.CACHE] = labels.WARM
            token = current_labels.set(request_labels)
            try:
                stop = outcomes.note(target, request(client, target, index + sent, seconds))
            finally:
                current_labels.reset(token)
            sent += 1
            on_request(size, target)
            if stop:
                break
    except Exception as error:  # the project's code outside the view: the client, a signal
        outcomes.broken.setdefault(target.name, f"request failed: {explain(error, outcomes.root)}")
    return sent
