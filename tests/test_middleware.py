"""PerfkitMiddleware on the demo site: what one request's Recording holds."""

from __future__ import annotations

import inspect
import re
from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.test import override_settings

from perfkit import health
from perfkit.capture.callsite import NO_APPLICATION_FRAME
from perfkit.demo import views
from perfkit.demo.data import populate
from perfkit.demo.models import Story


def _line_of(function: object, text: str) -> int:
    lines, start = inspect.getsourcelines(function)
    return start + next(i for i, line in enumerate(lines) if text in line)


SLOW_LIST_VIEW = (
    f"perfkit/demo/views.py:{_line_of(views.story_list_slow, 'return render(')} in story_list_slow"
)
SLOW_TEMPLATE = "perfkit/demo/templates/demo/story_list_slow.html"

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("n", [10, 50])
def test_slow_list_records_one_query_plus_two_per_row(client, recordings, n: int) -> None:
    populate(n)
    client.get("/stories/slow/")
    (recording,) = recordings
    assert len(recording.queries) == 1 + 2 * n
    groups = Counter(q.fingerprint for q in recording.queries)
    assert sorted(groups.values()) == [1, n, n]
    sites = Counter(q.callsite for q in recording.queries)
    assert sites == {
        f"{SLOW_TEMPLATE}:7 via {SLOW_LIST_VIEW}": 1,
        f"{SLOW_TEMPLATE}:9 via {SLOW_LIST_VIEW}": n,
        f"{SLOW_TEMPLATE}:10 via {SLOW_LIST_VIEW}": n,
    }


@pytest.mark.parametrize("n", [10, 50])
def test_fixed_list_records_a_constant_two_queries(client, recordings, n: int) -> None:
    populate(n)
    client.get("/stories/")
    (recording,) = recordings
    assert len(recording.queries) == 2
    assert all(q.callsite.startswith("perfkit/demo/") for q in recording.queries)


def test_view_identity(client, recordings) -> None:
    populate(3)
    story = Story.objects.first()
    client.get(f"/stories/{story.pk}/")
    (recording,) = recordings
    assert recording.view == "demo:story_detail"
    assert recording.url_name == "demo:story_detail"
    assert recording.route == "stories/<int:pk>/"
    assert recording.view_path == "perfkit.demo.views.story_detail"
    assert recording.method == "GET"
    assert recording.status == 200


def test_unresolved_paths_share_one_key(client, recordings) -> None:
    client.get("/no/such/page/")
    client.get("/another/missing/thing/")
    assert [r.view for r in recordings] == ["<unresolved>", "<unresolved>"]
    assert [r.status for r in recordings] == [404, 404]
    assert all(r.route is None for r in recordings)


def test_a_404_raised_by_a_view_is_grouped_under_that_view(client, recordings) -> None:
    client.get("/stories/999999/")
    (recording,) = recordings
    assert (recording.view, recording.status) == ("demo:story_detail", 404)


def test_response_facts(client, recordings) -> None:
    populate(5)
    first = client.get("/")
    client.get("/")
    client.get("/stories/")
    front, again, listing = recordings
    assert front.response_bytes == len(first.content)
    assert front.body_hash == again.body_hash
    assert front.body_hash != listing.body_hash
    assert len(front.body_hash) == 16
    assert not (front.has_cache_control or front.has_etag or front.has_last_modified)
    assert front.wall_ms > 0 and front.cpu_ms >= 0
    assert front.authenticated is False


def test_page_cache_service_is_recorded(client, recordings) -> None:
    populate(5)
    client.get("/cached/")
    client.get("/cached/")
    miss, hit = recordings
    assert (miss.page_cache_hit, len(miss.queries)) == (False, 6)
    assert (hit.page_cache_hit, len(hit.queries)) == (True, 0)
    assert hit.has_cache_control
    assert [c.hit for c in hit.cache_ops if c.op == "get"] == [True, True]


def test_post_redirect_has_no_body_hash(client, recordings) -> None:
    populate(2)
    story = Story.objects.first()
    response = client.post(
        "/stories/add/",
        {
            "title": "New",
            "slug": "new",
            "body": "one two",
            "author": story.author.pk,
            "tags": [t.pk for t in story.tags.all()],
        },
    )
    assert response.status_code == 302
    (recording,) = recordings
    assert (recording.method, recording.status, recording.body_hash) == ("POST", 302, None)
    assert any(q.sql.startswith("INSERT") for q in recording.queries)


def test_authenticated_user_is_recorded_when_the_view_loads_it(client, recordings) -> None:
    client.force_login(User.objects.create_superuser("admin", "a@example.com", "pw"))
    client.get("/admin/")
    client.logout()
    client.get("/admin/")
    assert [(r.authenticated, r.status) for r in recordings] == [(True, 200), (False, 302)]


SERVER_TIMING = re.compile(
    r'^db;dur=\d+\.\d\d;desc="(\d+) quer(?:y|ies)", '
    r'cache;dur=\d+\.\d\d;desc="(\d+) hits?, (\d+) miss(?:es)?", '
    r"app;dur=\d+\.\d\d, total;dur=\d+\.\d\d, "
    r'perfkit;desc="([0-9a-f]{32})"$'
)


def test_server_timing_header_for_internal_addresses(client, recordings) -> None:
    populate(4)
    client.get("/tags/")
    header = client.get("/tags/")["Server-Timing"]
    assert SERVER_TIMING.match(header).groups()[:3] == ("0", "1", "0")
    header = client.get("/stories/slow/")["Server-Timing"]
    *counts, recording_id = SERVER_TIMING.match(header).groups()
    assert counts == ["9", "0", "0"]
    assert recording_id == recordings[-1].id


def test_server_timing_is_hidden_from_other_addresses(client) -> None:
    response = client.get("/ping/", REMOTE_ADDR="203.0.113.9")
    assert not response.has_header("Server-Timing")


@override_settings(DEBUG=True)
def test_server_timing_shown_to_anyone_under_debug(client) -> None:
    assert client.get("/ping/", REMOTE_ADDR="203.0.113.9").has_header("Server-Timing")


@pytest.mark.parametrize(("mode", "shown"), [(True, True), (False, False)])
def test_server_timing_setting_forces_it(client, mode: bool, shown: bool) -> None:
    with override_settings(PERFKIT={"SERVER_TIMING": mode}):
        assert client.get("/ping/", REMOTE_ADDR="203.0.113.9").has_header("Server-Timing") is shown
        assert client.get("/ping/").has_header("Server-Timing") is shown


def test_ignored_paths_and_sampling(client, recordings) -> None:
    client.get("/static/demo/site.css")
    with override_settings(PERFKIT={"SAMPLE_RATE": 0.0}):
        client.get("/ping/")
    with override_settings(PERFKIT={"ENABLED": False}):
        client.get("/ping/")
    client.get("/ping/")
    assert [r.view for r in recordings] == ["demo:ping"]


def test_sql_parameters_are_not_stored_unless_asked(client, recordings) -> None:
    populate(2)
    client.get("/stories/slow/")
    with override_settings(PERFKIT={"RECORD_PARAMS": True}):
        client.get("/stories/slow/")
    plain, opted_in = recordings
    assert {q.params for q in plain.queries} == {None}
    assert any(q.params and q.params.startswith("(") for q in opted_in.queries)


def test_a_recorder_failure_never_breaks_the_request(client, recordings, monkeypatch) -> None:
    populate(3)

    def broken(sql: str) -> tuple[str, str]:
        raise RuntimeError("fingerprinting exploded")

    monkeypatch.setattr("perfkit.capture.db.fingerprint", broken)
    before = health.error_counts().get("recording a query", 0)
    response = client.get("/stories/")
    assert response.status_code == 200
    assert b"Stories" in response.content
    assert health.error_counts()["recording a query"] == before + 2
    assert len(recordings) == 1 and recordings[0].queries == []


def test_queries_outside_a_request_are_not_recorded(recordings) -> None:
    populate(3)
    list(Story.objects.all())
    assert recordings == []


def test_library_views_have_no_application_call_site(client, recordings) -> None:
    client.force_login(User.objects.create_superuser("root", "r@example.com", "pw"))
    client.get("/admin/")
    (recording,) = recordings
    assert recording.queries
    sites = {q.callsite for q in recording.queries}
    assert NO_APPLICATION_FRAME in sites
    assert all(
        site == NO_APPLICATION_FRAME or site.startswith("django/contrib/admin/templates/")
        for site in sites
    ), sites


class _Maintenance:
    """A maintenance mode: answers 503 before Django resolves the route, as
    django-maintenance-mode does."""

    def __init__(self, get_response: object) -> None:
        self.get_response = get_response

    def __call__(self, request: object) -> object:
        from django.http import HttpResponse

        return HttpResponse("down for maintenance", status=503)


@override_settings(
    MIDDLEWARE=["perfkit.middleware.PerfkitMiddleware", "tests.test_middleware._Maintenance"]
)
def test_a_request_a_middleware_answers_is_named_by_its_route(client, recordings) -> None:
    client.get("/stories/slow/")
    client.get("/no/such/page/")
    answered, missing = recordings
    assert (answered.status, answered.view) == (503, "demo:story_list_slow")
    assert answered.route == "stories/slow/"
    assert missing.view == "<unresolved>"
