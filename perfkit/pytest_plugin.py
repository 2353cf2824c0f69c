"""perfkit's pytest plugin: marker, fixtures, snapshots; Django and the recorder load lazily.

While it is loaded, the middleware writes no recording to the project's store: a test
client's requests are not the site's traffic (``PERFKIT["STORE_IN_TESTS"]`` opts back in).
The fixtures and the marker read recordings in memory.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Generator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from perfkit.testing import Recorded

MARKER_LIMITS = (
    "max_queries",
    "num_queries",
    "n_plus_one",
    "max_http_calls",
    "unused_eager_loads",
    "cache",
    "snapshot",
    "full_scans",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("perfkit")
    group.addoption(
        "--perfkit-update-snapshots",
        action="store_true",
        default=False,
        help="rewrite perfkit's __perf__/ snapshot files that changed instead of failing "
        "(also PERFKIT_UPDATE_SNAPSHOTS=1)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "perfkit(max_queries=None, num_queries=None, n_plus_one=False, max_http_calls=None, "
        "unused_eager_loads=False, cache=None, snapshot=False, full_scans=True): record the test "
        "body with perfkit and check these limits after it (n_plus_one=True allows N+1 queries "
        "and N+1 API calls, unused_eager_loads=True eager loads whose rows are never read, "
        "full_scans=False fails on a statement no index serves, by EXPLAIN)",
    )


def update_snapshots(config: pytest.Config) -> bool:
    """True when snapshot files should be rewritten rather than compared."""
    env = os.environ.get("PERFKIT_UPDATE_SNAPSHOTS", "").strip().lower()
    return bool(config.getoption("perfkit_update_snapshots")) or env in ("1", "true", "yes")


def snapshot_path(item: pytest.Item, name: str | None = None) -> Path:
    """``__perf__/<test module>/<test name>.json`` beside the test file."""
    test = item.nodeid.split("::", 1)[-1].replace("::", ".")
    if name:
        test = f"{test}.{name}"
    safe = re.sub(r"[^\w.\-\[\]]+", "_", test)
    return item.path.parent / "__perf__" / item.path.stem / f"{safe}.json"


@pytest.fixture
def perfkit_record() -> Callable[[], AbstractContextManager[Recorded]]:
    """``with perfkit_record() as rec:`` records the block; ``rec.assert_max_queries(3)``."""
    from perfkit.testing import record

    return record


@pytest.fixture
def perfkit_snapshot(request: pytest.FixtureRequest) -> Callable[..., str]:
    """``perfkit_snapshot(rec)`` compares a recorded block with this test's snapshot file."""
    from perfkit.testing import check_snapshot

    def check(recorded: Recorded, name: str | None = None) -> str:
        path = snapshot_path(request.node, name)
        return check_snapshot(recorded, path, update=update_snapshots(request.config))

    return check


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    marker = item.get_closest_marker("perfkit")
    if marker is None:
        return (yield)
    limits = _limits(marker)
    from perfkit.testing import check_snapshot, record

    with record() as recorded:
        result = yield
    checks: list[Callable[[], object]] = []
    if limits.get("max_queries") is not None:
        checks.append(lambda: recorded.assert_max_queries(limits["max_queries"]))
    if limits.get("num_queries") is not None:
        checks.append(lambda: recorded.assert_num_queries(limits["num_queries"]))
    if not limits.get("n_plus_one", False):
        checks.append(recorded.assert_no_n_plus_one)
        checks.append(recorded.assert_no_n_plus_one_api)
    if not limits.get("unused_eager_loads", False):
        checks.append(recorded.assert_no_unused_eager_loads)
    if limits.get("max_http_calls") is not None:
        checks.append(lambda: recorded.assert_max_http_calls(limits["max_http_calls"]))
    if limits.get("cache"):
        checks.append(lambda: recorded.assert_cache(**limits["cache"]))
    if limits.get("full_scans", True) is False:
        checks.append(recorded.assert_no_full_scans)
    if limits.get("snapshot"):
        path, update = snapshot_path(item), update_snapshots(item.config)
        checks.append(lambda: check_snapshot(recorded, path, update=update))
    failures = []
    for check in checks:
        try:
            check()
        except AssertionError as failure:
            failures.append(str(failure))
    if failures:
        test_file, line, _ = item.location
        arguments = ", ".join(f"{key}={value!r}" for key, value in marker.kwargs.items())
        heading = f"{test_file}:{(line or 0) + 1}: @pytest.mark.perfkit({arguments}) failed"
        pytest.fail("\n\n".join([heading, *failures]), pytrace=False)
    return result


def _limits(marker: pytest.Mark) -> Mapping[str, Any]:
    unknown = sorted(set(marker.kwargs) - set(MARKER_LIMITS))
    if marker.args or unknown:
        pytest.fail(
            f"@pytest.mark.perfkit takes keyword arguments {', '.join(MARKER_LIMITS)}; "
            f"got {', '.join([*map(repr, marker.args), *unknown])}",
            pytrace=False,
        )
    return marker.kwargs
