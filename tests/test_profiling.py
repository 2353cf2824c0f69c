"""On-demand profiling: who may trigger it, and that nobody else can tell it exists."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import AsyncClient, override_settings

from perfkit.demo.data import populate
from perfkit.profiling import RESPONSE_HEADER, make_token
from perfkit.recording import Recording
from tests.conftest import async_get

OUTSIDE = "10.9.8.7"  # not in INTERNAL_IPS
INSIDE = "127.0.0.1"  # in INTERNAL_IPS


@pytest.fixture
def profiles(tmp_path: Path, db: None, settings: Any) -> Iterator[Path]:
    """The profile directory, empty at the start; the demo has five stories."""
    directory = tmp_path / "profiles"
    with override_settings(PERFKIT={**settings.PERFKIT, "PROFILE_DIR": str(directory)}):
        populate(5)
        yield directory


def written(directory: Path) -> list[Path]:
    return sorted(directory.glob("*")) if directory.exists() else []


def login(client: Any, *, staff: bool) -> None:
    user = User.objects.create_user("editor", password="x", is_staff=staff)
    client.force_login(user)


def get(client: Any, url: str, address: str, **headers: str) -> Any:
    return client.get(url, REMOTE_ADDR=address, headers=headers)


def assert_profiled(response: Any, unprofiled: Any, directory: Path, recording: Recording) -> None:
    (path,) = written(directory)
    assert response[RESPONSE_HEADER] == path.name
    assert response.content == unprofiled.content
    assert "pyinstrument" in path.read_text()
    assert recording.profile == str(path)


def test_staff_user_outside_internal_ips(client: Any, profiles: Path, recordings: list) -> None:
    login(client, staff=True)
    unprofiled = get(client, "/stories/", OUTSIDE)
    response = get(client, "/stories/?perfkit-profile=1", OUTSIDE)
    assert_profiled(response, unprofiled, profiles, recordings[-1])


def test_anonymous_client_in_internal_ips(client: Any, profiles: Path, recordings: list) -> None:
    unprofiled = get(client, "/stories/slow/", INSIDE)
    response = get(client, "/stories/slow/", INSIDE, **{"X-Perfkit-Profile": "1"})
    assert_profiled(response, unprofiled, profiles, recordings[-1])
    assert recordings[-1].view == "demo:story_list_slow"


def test_valid_signed_token(client: Any, profiles: Path, recordings: list) -> None:
    unprofiled = get(client, "/stories/", OUTSIDE)
    response = get(client, "/stories/", OUTSIDE, **{"X-Perfkit-Profile": make_token(60)})
    assert_profiled(response, unprofiled, profiles, recordings[-1])


def test_async_view_with_a_token(profiles: Path, recordings: list) -> None:
    client = AsyncClient()
    headers = {"X-Perfkit-Profile": make_token(60)}
    unprofiled = async_get(client, "/api/stories/async/", REMOTE_ADDR=OUTSIDE)
    response = async_get(client, "/api/stories/async/", REMOTE_ADDR=OUTSIDE, headers=headers)
    assert_profiled(response, unprofiled, profiles, recordings[-1])


def other_key_token() -> str:
    with override_settings(SECRET_KEY="another-site-entirely-0123456789abcdef"):
        return make_token(60)


REFUSED = {
    "anonymous, query parameter": (None, "?perfkit-profile=1", {}),
    "anonymous, header": (None, "", {"X-Perfkit-Profile": "1"}),
    "non-staff user": (False, "?perfkit-profile=1", {}),
    "bad token": (None, "", {"X-Perfkit-Profile": "not-a-token"}),
    "expired token": (None, "", {"X-Perfkit-Profile": make_token(-1)}),
    "token signed with another key": (None, "", {"X-Perfkit-Profile": other_key_token()}),
    "staff-looking token in the query": (None, "?perfkit-profile=staff", {}),
}


@pytest.mark.parametrize(("staff", "query", "headers"), REFUSED.values(), ids=REFUSED.keys())
def test_refused_requests_look_exactly_unprofiled(
    client: Any, profiles: Path, recordings: list, staff: bool | None, query: str, headers: dict
) -> None:
    if staff is not None:
        login(client, staff=staff)
    for url in ("/stories/", "/tags/"):
        unprofiled = get(client, url, OUTSIDE)
        response = get(client, url + query, OUTSIDE, **headers)
        assert response.status_code == unprofiled.status_code == 200
        assert response.content == unprofiled.content
        assert response.serialize_headers() == unprofiled.serialize_headers()
        assert response.cookies.output() == unprofiled.cookies.output()
    assert written(profiles) == []
    assert [r.profile for r in recordings] == [None] * 4


def test_the_middleware_module_imports_only_django_and_the_standard_library() -> None:
    code = "\n".join(
        (
            "import sys",
            "before = set(sys.modules)",
            "import django",
            "django.setup()",
            "import perfkit.middleware",
            "files = {n: getattr(sys.modules[n], '__file__', None) or '' for n in sys.modules}",
            "new = {n.split('.')[0] for n in set(sys.modules) - before if 'site-' in files[n]}",
            # orjson: the optional accelerator, imported when installed (tests/store/test_rows.py)
            "print(sorted(new - {'orjson'}))",
        )
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "perfkit.demo.settings"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "['asgiref', 'django', 'sqlparse']"
