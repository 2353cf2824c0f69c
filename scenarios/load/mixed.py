"""Logged-in editors on the demo site: read pages and the admin, and file new stories.

perfkit load mixed --users 20 --duration 30s

`perfkit stack up` creates the account these users log in with (loadtest / loadtest).
Writes go through Django's CSRF protection exactly as a browser's would.
"""

from __future__ import annotations

import os
import re
import uuid

from locust import HttpUser, between, tag, task

USERNAME = os.environ.get("PERFKIT_LOAD_USERNAME", "loadtest")
PASSWORD = os.environ.get("PERFKIT_LOAD_PASSWORD", "loadtest")
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_OPTION = re.compile(r'<option value="(\d+)"')


class Editor(HttpUser):
    """Logs in once, then reads (4 in 5 requests) and writes (1 in 5)."""

    wait_time = between(0.1, 0.3)

    def on_start(self) -> None:
        page = self.client.get("/admin/login/", name="/admin/login/")
        token = _CSRF.search(page.text)
        self.client.post(
            "/admin/login/?next=/admin/",
            data={
                "username": USERNAME,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.host}/admin/login/"},
            name="/admin/login/ [POST]",
        )

    @tag("read")
    @task(4)
    def front(self) -> None:
        self.client.get("/", name="/")

    @tag("read")
    @task(2)
    def admin_stories(self) -> None:
        self.client.get("/admin/demo/story/", name="/admin/demo/story/")

    @tag("read")
    @task(2)
    def story_list(self) -> None:
        self.client.get("/stories/", name="/stories/")

    @tag("write")
    @task(2)
    def file_story(self) -> None:
        form = self.client.get("/stories/add/", name="/stories/add/")
        token = _CSRF.search(form.text)
        options = _OPTION.findall(form.text)
        slug = f"load-{uuid.uuid4().hex[:12]}"
        self.client.post(
            "/stories/add/",
            data={
                "title": f"Load test {slug}",
                "slug": slug,
                "body": "Filed by perfkit load. " * 20,
                "author": options[0] if options else "1",
                "tags": options[-1:] if options else [],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.host}/stories/add/"},
            name="/stories/add/ [POST]",
        )
