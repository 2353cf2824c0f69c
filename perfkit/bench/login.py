"""Which targets need a login: one anonymous GET each, and a retry as a user if redirected."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

from perfkit.bench.runner import REQUEST_SECONDS, Target, client_for, request, timed_out
from perfkit.recording import current_labels

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


class Prober:
    """Decides once per target name: as is, logged in as ``user``, or skipped (and why)."""

    def __init__(self, user: str | None, seconds: float = REQUEST_SECONDS) -> None:
        self.user = user
        self.seconds = seconds
        self.decided: dict[str, str | None] = {}
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
            decision = self.decided[target.name]
            if decision == "anonymous":
                kept.append(replace(target, warm=probed))
            elif decision == "login":
                kept.append(replace(target, user=self.user, warm=probed))
        return kept

    def _decide(self, target: Target, size: int) -> str | None:
        response = _probe(target, None, size, self.seconds)
        if response.status_code == 405:
            return self._skip(target, "does not accept GET (405)")
        if timed_out(response):
            return self._skip(target, f"stopped: {response.exc_info[1]}")
        if not needs_login(response, target.path):
            return "anonymous"
        if self.user is None:
            return self._skip(target, "needs a login; --login none")
        response = _probe(target, self.user, size, self.seconds)
        if response.status_code == 405:
            return self._skip(target, "does not accept GET (405)")
        if timed_out(response):
            return self._skip(target, f"stopped: {response.exc_info[1]}")
        return "login"

    def _skip(self, target: Target, reason: str) -> None:
        self.skipped.append({"url": target.path, "reason": reason})


def _probe(target: Target, user: str | None, size: int, seconds: float) -> Any:
    token = current_labels.set({"size": str(size), "phase": "probe", "target": target.name})
    try:
        return request(client_for(user), target, 0, seconds)
    finally:
        current_labels.reset(token)
