"""Anonymous, read-heavy browsing of the demo site: front page, lists, stories, static files.

perfkit load browse --users 50 --duration 30s
"""

from __future__ import annotations

import os
import random

from locust import HttpUser, between, tag, task

# perfkit load passes the stack's demo size: stories 1..size exist.
STORY_IDS = range(1, int(os.environ.get("PERFKIT_DEMO_SIZE") or 10) + 1)


class Reader(HttpUser):
    """A visitor who reads: mostly the front page and stories, sometimes the slow list."""

    wait_time = between(0.05, 0.2)

    @tag("pages")
    @task(5)
    def front(self) -> None:
        self.client.get("/", name="/")

    @tag("pages")
    @task(3)
    def story(self) -> None:
        self.client.get(f"/stories/{random.choice(STORY_IDS)}/", name="/stories/[id]/")

    @tag("pages")
    @task(2)
    def story_list(self) -> None:
        self.client.get("/stories/", name="/stories/")

    @tag("pages", "slow")
    @task(1)
    def story_list_slow(self) -> None:
        self.client.get("/stories/slow/", name="/stories/slow/")

    @tag("cached")
    @task(3)
    def front_cached(self) -> None:
        self.client.get("/cached/", name="/cached/")

    @tag("cached")
    @task(2)
    def tags(self) -> None:
        self.client.get("/tags/", name="/tags/")

    @tag("static")
    @task(2)
    def stylesheet(self) -> None:
        self.client.get("/static/demo/site.css", name="/static/demo/site.css")
