"""What eager-load tracking costs, in paired rounds against a baseline of the same run.

``PERFKIT["EAGER_LOADS"]`` is off by default, and then the middleware leaves Django's ORM
unpatched: a request runs exactly the code it ran before tracking existed. These rounds put
numbers on the other states, each against the unpatched ORM in the same process:

- the demo's list (``select_related`` + ``prefetch_related``, 25 stories), ORM patched but
  nothing tracked: a test process where the pytest plugin has installed tracking, between
  its recorded blocks;
- the same list with every request tracked (``EAGER_LOADS`` on, as bench and the plugin run);
- a view with no query (``/ping/``), tracked: a view that uses no eager load pays nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.test import override_settings

from benchmarks.paired import paired
from perfkit import conf
from perfkit.capture import eager_loads
from perfkit.store import writer

PER = 20


def _pair(benchmark, get: Callable[[str], bytes], path: str, tracked: bool) -> None:
    def prepare(on: bool) -> None:
        assert writer.flush(timeout=60)
        if on:
            eager_loads.install()
        else:
            eager_loads.uninstall()

    def burst() -> None:
        for _ in range(PER):
            get(path)

    with override_settings(PERFKIT={**settings.PERFKIT, "EAGER_LOADS": tracked}):
        conf.get_config.cache_clear()
        get(path)
        try:
            paired(benchmark, burst, burst, rounds=100, per=PER, prepare=prepare)
        finally:
            eager_loads.uninstall()
    conf.get_config.cache_clear()
    assert writer.stats()["dropped"] == 0


def test_installed_but_not_tracking_on_an_eager_list(benchmark, recorded) -> None:
    benchmark.group = "eager loads"
    benchmark.name = "eager: unpatched / patched, untracked (/stories/)"
    _pair(benchmark, recorded, "/stories/", tracked=False)


def test_tracking_an_eager_list(benchmark, recorded) -> None:
    benchmark.group = "eager loads"
    benchmark.name = "eager: unpatched / tracked (/stories/)"
    _pair(benchmark, recorded, "/stories/", tracked=True)


def test_tracking_a_view_without_queries(benchmark, recorded) -> None:
    benchmark.group = "eager loads"
    benchmark.name = "eager: unpatched / tracked (/ping/)"
    _pair(benchmark, recorded, "/ping/", tracked=True)
