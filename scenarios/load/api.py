"""Clients of the demo's JSON API: the sync and the async view, side by side.

perfkit load api --users 20 --duration 30s
"""

from __future__ import annotations

from locust import FastHttpUser, between, tag, task


class ApiClient(FastHttpUser):
    """A program polling the API: no pages, no static files."""

    wait_time = between(0.02, 0.1)

    @tag("sync")
    @task(3)
    def stories(self) -> None:
        with self.client.get("/api/stories/", name="/api/stories/", catch_response=True) as r:
            if r.status_code == 200 and "stories" not in r.json():
                r.failure("no 'stories' in the JSON")

    @tag("async")
    @task(3)
    def stories_async(self) -> None:
        self.client.get("/api/stories/async/", name="/api/stories/async/")

    @tag("ping")
    @task(1)
    def ping(self) -> None:
        self.client.get("/ping/", name="/ping/")
