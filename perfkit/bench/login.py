"""Who requests each target: every persona it serves, probed once with a GET as each.

A persona that saw exactly the queries another one saw (the same statements, as often) is
not requested again: its pages would say the same. A target no persona is served is
requested as the first one that was not asked to log in, so its failure is reported, or
skipped when every persona was.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ObjectDoesNotExist

from perfkit import labels
from perfkit.bench import personas
from perfkit.bench.runner import REQUEST_SECONDS, Target, client_for, request, timed_out
from perfkit.errors import one_line
from perfkit.recording import Recording, current_labels

#: Statuses that mean "log in first": a redirect to the login page, or a refusal.
_REDIRECTS = (301, 302, 303, 307, 308)
_REFUSED = (401, 403)


def needs_login(response: Any, path: str) -> bool:
    """Whether ``response`` to an anonymous GET of ``path`` asks the client to log in."""
    from django.conf import settings
    from django.contrib.auth import REDIRECT_FIELD_NAME
    from django.shortcuts import resolve_url

    if response.status_code in _REFUSED:
        return True
    if response.status_code not in _REDIRECTS:
        return False
    location = urlsplit(response["Location"])
    login_path = urlsplit(resolve_url(settings.LOGIN_URL)).path
    following = parse_qs(location.query).get(REDIRECT_FIELD_NAME, [])
    return location.path == login_path or path in following


class LoginFailed(Exception):
    """Logging a persona in raised: the persona is left out, with why."""


class Prober:
    """Decides once per target name who requests it (``chosen``), or why nobody does."""

    def __init__(self, chosen: tuple[str, ...], seconds: float = REQUEST_SECONDS) -> None:
        self.chosen = chosen
        self.seconds = seconds
        self.decided: dict[str, list[str]] = {}
        self.skipped: list[dict[str, str]] = []

    def apply(self, targets: list[Target], size: int) -> list[Target]:
        kept = []
        for target in targets:
            if target.method != "GET" or target.user is not None:
                kept.append(target)
                continue
            probed = target.name not in self.decided
            if probed:
                self.decided[target.name] = self._decide(target, size)
            for persona in self.decided[target.name]:
                user = personas.username(persona)
                kept.append(replace(target, user=user, persona=persona, warm=probed))
        return kept

    def _decide(self, target: Target, size: int) -> list[str]:
        served: dict[tuple[int, tuple[tuple[str, int], ...]], str] = {}
        fallback = None
        answers = []
        for persona in self.chosen:
            try:
                response, queries = _probe(target, personas.username(persona), size, self.seconds)
            except ObjectDoesNotExist:  # its user could not be made: a skip of the data
                answers.append(f"{persona} not in the data")
                continue
            except LoginFailed as error:
                answers.append(f"{persona} could not be logged in ({error})")
                continue
            if response.status_code == 405:
                return self._skip(target, "does not accept GET (405)")
            if timed_out(response):
                return self._skip(target, f"stopped: {response.exc_info[1]}")
            status = response.status_code
            answers.append(f"{persona} {_answer(response, target.path)}")
            if status < 300 or status == 304:
                served.setdefault((status, queries), persona)  # the first of those alike
            elif fallback is None and not needs_login(response, target.path):
                fallback = persona
        if served:
            return list(served.values())
        if fallback is not None:
            return [fallback]
        if self.chosen == (personas.ANONYMOUS,):
            return self._skip(target, "needs a login; --login none")
        return self._skip(target, f"served to no persona: {', '.join(answers)}")

    def _skip(self, target: Target, reason: str) -> list[str]:
        self.skipped.append({"url": target.path, "reason": reason})
        return []


def _answer(response: Any, path: str) -> str:
    if response.status_code in _REDIRECTS and needs_login(response, path):
        return "sent to log in"
    return f"refused ({response.status_code})"


def _probe(
    target: Target, user: str | None, size: int, seconds: float
) -> tuple[Any, tuple[tuple[str, int], ...]]:
    """The response to one GET as ``user``, and how often each statement ran in it."""
    from perfkit.signals import recording_finished

    seen: list[Recording] = []

    def keep(sender: object, recording: Recording, **kwargs: object) -> None:
        seen.append(recording)

    request_labels = labels.bench(size, labels.PROBE, target.name)
    token = current_labels.set(request_labels)
    recording_finished.connect(keep, weak=False, dispatch_uid="perfkit.bench.login")
    try:
        try:
            client = client_for(user)
        except ObjectDoesNotExist:
            raise
        except Exception as error:  # the project's login signals, session engine, settings
            raise LoginFailed(one_line(error)) from None
        response = request(client, target, 0, seconds)
    finally:
        recording_finished.disconnect(dispatch_uid="perfkit.bench.login")
        current_labels.reset(token)
    counts = Counter(q.fingerprint for recording in seen for q in recording.queries)
    return response, tuple(sorted(counts.items()))
