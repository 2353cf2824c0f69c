"""The gate end to end, on a copy of the demo site as a user's project.

Removing ``select_related`` from the fixed list must fail naming the view, the new query and
its line; dropping a cache must fail; an unchanged tree (A/A) must pass, run after run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import perfkit
from tests.servers import run_perfkit

DEMO = Path(perfkit.__file__).parent / "demo"
BENCH = ["--settings", "newsroom.settings", "--sizes", "3,8"]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``newsroom``: the demo copied as a project of its own, with a saved baseline."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(DEMO, root / "newsroom", ignore=shutil.ignore_patterns("__pycache__"))
    for path in (root / "newsroom").rglob("*.py"):
        path.write_text(path.read_text().replace("perfkit.demo", "newsroom"))
    saved = run_perfkit("bench", *BENCH, "--save-baseline", "perf/baseline.json", cwd=root)
    assert saved.returncode == 0, saved.stderr
    return root


def edit(project: Path, old: str, new: str, path: str = "newsroom/views.py") -> str:
    file = project / path
    original = file.read_text()
    assert old in original
    file.write_text(original.replace(old, new, 1))
    return original


def gate(project: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_perfkit(
        "gate",
        "--baseline",
        "perf/baseline.json",
        *BENCH,
        "--json",
        "gate.json",
        *extra,
        cwd=project,
    )


def failures(project: Path) -> dict[tuple[str, str], dict]:
    findings = json.loads((project / "gate.json").read_text())["findings"]
    return {(f["view"], f["check"]): f for f in findings if not f["passed"] and not f["skipped"]}


def test_baseline_is_stable_and_reviewable(project: Path) -> None:
    data = json.loads((project / "perf" / "baseline.json").read_text())
    fixed = data["views"]["demo:story_list"]
    assert {size: entry["queries"] for size, entry in fixed["sizes"].items()} == {"3": 2, "8": 2}
    assert data["views"]["demo:story_list_slow"]["verdict"] == "O(n)"
    assert list(data) == sorted(data)
    assert "fingerprint" in data["environment"]


@pytest.mark.parametrize("attempt", range(3))
def test_an_unchanged_tree_passes(project: Path, attempt: int) -> None:
    result = gate(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert failures(project) == {}


def test_removing_select_related_fails_naming_view_query_and_line(project: Path) -> None:
    original = edit(
        project,
        'Story.objects.select_related("author").prefetch_related("tags").order_by("id")\n'
        '    return render(request, "demo/story_list.html"',
        'Story.objects.prefetch_related("tags").order_by("id")\n'
        '    return render(request, "demo/story_list.html"',
    )
    try:
        result = gate(project, "--github")
    finally:
        (project / "newsroom/views.py").write_text(original)
    assert result.returncode == 1, result.stdout + result.stderr
    failed = failures(project)
    assert ("demo:story_list", "query_count") in failed
    new_query = failed[("demo:story_list", "new_fingerprints")]["message"]
    assert '"demo_author"' in new_query
    assert "newsroom/templates/demo/story_list.html:" in new_query
    assert "newsroom/views.py:" in new_query
    assert ("demo:story_list", "n_plus_one") in failed
    assert "::error file=newsroom/templates/demo/story_list.html,line=" in result.stdout


def test_dropping_a_cache_fails_and_putting_it_back_passes(project: Path) -> None:
    original = edit(project, "cloud = cache.get(TAG_CLOUD_KEY, _MISSING)", "cloud = _MISSING")
    try:
        dropped = gate(project)
        failed = failures(project)
    finally:
        (project / "newsroom/views.py").write_text(original)
    assert dropped.returncode == 1
    assert "cache hit ratio dropped" in failed[("demo:tag_cloud", "cache_hit_ratio")]["message"]
    restored = gate(project)
    assert restored.returncode == 0, restored.stdout


def git(project: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", *args],
        cwd=project,
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def repository(project: Path) -> Path:
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "base")
    return project


def test_against_a_ref_a_over_a_passes_with_paired_latency(repository: Path) -> None:
    result = gate(repository, "--against", "HEAD", "--rounds", "12")
    assert result.returncode == 0, result.stdout + result.stderr
    findings = json.loads((repository / "gate.json").read_text())["findings"]
    latency = [f for f in findings if f["check"] == "latency"]
    assert latency and all(not f["skipped"] for f in latency)
    assert all("paired rounds" in f["message"] for f in latency)


def test_against_a_ref_a_slower_view_fails_on_latency(repository: Path) -> None:
    original = edit(
        repository,
        "def ping(request: HttpRequest) -> HttpResponse:\n",
        "def ping(request: HttpRequest) -> HttpResponse:\n    __import__('time').sleep(0.01)\n",
    )
    try:
        result = gate(repository, "--against", "HEAD", "--rounds", "12")
    finally:
        (repository / "newsroom/views.py").write_text(original)
    assert result.returncode == 1, result.stdout
    failed = failures(repository)
    assert set(failed) == {("demo:ping", "latency")}
    assert "slower paired rounds" in failed[("demo:ping", "latency")]["message"]


def test_a_new_n_plus_one_api_call_fails_naming_the_line(project: Path) -> None:
    """An avatar fetched per story from an outside service: refused under bench's network
    block, and still one call per row, which the gate fails on its own line."""
    original = edit(
        project,
        '    stories = Story.objects.select_related("author").prefetch_related("tags")'
        '.order_by("id")\n',
        '    stories = Story.objects.select_related("author").prefetch_related("tags")'
        '.order_by("id")\n'
        "    import urllib.request\n"
        "    for story in stories:\n"
        "        try:\n"
        '            urllib.request.urlopen(f"http://avatars.example/a/{story.author_id}?s=64")'
        "  # per row\n"
        "        except OSError:\n"
        "            pass\n",
    )
    try:
        edited = (project / "newsroom/views.py").read_text().splitlines()
        line = next(n for n, text in enumerate(edited, start=1) if "# per row" in text)
        result = gate(project, "--github")
        failed = failures(project)
    finally:
        (project / "newsroom/views.py").write_text(original)
    assert result.returncode == 1, result.stdout + result.stderr
    assert set(failed) == {("demo:story_list", "n_plus_one_api")}
    message = failed[("demo:story_list", "n_plus_one_api")]["message"]
    assert message == (
        "new N+1 API call: GET avatars.example/a/# made 8× in one request from "
        f"newsroom/views.py:{line} in story_list"
    )
    assert f"::error file=newsroom/views.py,line={line}" in result.stdout


def test_a_new_unused_eager_load_fails_naming_the_line(project: Path) -> None:
    """A story's tags prefetched for the detail page, which orders them in a query of its own."""
    original = edit(
        project,
        '    story = get_object_or_404(Story.objects.select_related("author"), pk=pk)\n',
        '    stories = Story.objects.select_related("author").prefetch_related("tags")  # unread\n'
        "    story = get_object_or_404(stories, pk=pk)\n",
    )
    try:
        edited = (project / "newsroom/views.py").read_text().splitlines()
        line = next(n for n, text in enumerate(edited, start=1) if "# unread" in text)
        result = gate(project, "--github")
        failed = failures(project)
    finally:
        (project / "newsroom/views.py").write_text(original)
    assert result.returncode == 1, result.stdout + result.stderr
    # The prefetch is one more query, of a new shape; and its rows go unread.
    checks = {"query_count", "new_fingerprints", "unused_eager_load"}
    assert set(failed) == {("demo:story_detail", check) for check in checks}
    message = failed[("demo:story_detail", "unused_eager_load")]["message"]
    site = f"newsroom/views.py:{line} in story_detail"
    assert message.startswith(
        f'new unused eager load: prefetch_related("tags") on demo.Story, its rows never '
        f'read, asked for at {site}: remove "tags" from prefetch_related at {site}'
    )
    assert f"::error file=newsroom/views.py,line={line}" in result.stdout
