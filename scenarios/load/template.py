"""A Locust load scenario template for your own site: copy it and name your pages.

perfkit stack up --app mysite.wsgi:application --settings mysite.settings
perfkit load scenarios/load/mysite.py --users 20 --duration 30s

Name every request (``name=``): perfkit groups its report by these names, and URLs with ids
in them should share one (``/products/[id]/``). Tag tasks so ``--tags`` can pick a subset.
"""

from __future__ import annotations

import random

from locust import HttpUser, between, tag, task


class Visitor(HttpUser):
    """Replace the paths below with your site's; weights say how often each runs."""

    wait_time = between(0.1, 0.5)

    @tag("pages")
    @task(5)
    def home(self) -> None:
        self.client.get("/", name="/")

    @tag("pages")
    @task(3)
    def detail(self) -> None:
        self.client.get(f"/products/{random.randint(1, 100)}/", name="/products/[id]/")
