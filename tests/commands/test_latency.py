"""``perfkit latency`` as a user runs it: errors, a frontend-bound page, the default target."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.servers import gunicorn, serving


def perfkit(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {"COLUMNS": "120", "PATH": os.environ["PATH"], **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "perfkit", "latency", *argv],
        capture_output=True,
        text=True,
        timeout=180,
        env=environment,
    )


def test_a_missing_browser_is_one_line_with_the_fix_and_exit_2(tmp_path: Path) -> None:
    result = perfkit("http://127.0.0.1:9/", env={"PATH": str(tmp_path)})
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("perfkit: error: no Chromium found")
    assert "apt-get install chromium" in lines[0] and "--browser PATH" in lines[0]
    assert result.stdout == ""


def test_a_browser_path_that_is_not_a_browser_is_one_line_and_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "chromium"
    result = perfkit("--browser", str(missing), "http://127.0.0.1:9/")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"perfkit: error: --browser '{missing}' is not an executable browser; "
        "install it (Debian: apt-get install chromium) or pass --browser PATH\n"
    )


def test_a_url_that_is_not_http_is_one_line_and_exit_2() -> None:
    result = perfkit("ftp://127.0.0.1/", "--runs", "1")
    assert result.returncode == 2
    assert result.stderr == (
        "perfkit: error: 'ftp://127.0.0.1/' is not an http:// or https:// URL with a host\n"
    )


def test_a_slow_blocking_script_is_frontend_bound_after_an_unreachable_url(tmp_path: Path) -> None:
    out_json, out_html = tmp_path / "latency.json", tmp_path / "latency.html"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    with serving(gunicorn("tests.latency.slow_site:application"), env) as base:
        dead = f"http://127.0.0.1:{free_port()}/"
        result = perfkit(
            dead,
            base + "/",
            *("--runs", "3", "--cold", "--json", str(out_json), "--html", str(out_html)),
        )
    assert result.returncode == 2, result.stderr  # one URL could not be measured: bad input
    assert "1 URL(s) could not be measured" in result.stdout
    assert result.stderr.startswith(
        f"perfkit: error: 1 of 2 URL(s) could not be measured: {dead} ("
    )
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    script = f"{base}/static/slow.js"
    report = json.loads(out_json.read_text())
    assert report["schema"] == 1
    unreachable, page = report["results"]
    assert unreachable["url"] == dead and "Connection refused" in unreachable["error"]
    (cold,) = page["modes"]
    assert cold["mode"] == "cold" and len(cold["runs"]) == 3
    split = cold["split"]
    assert split["bound"] == "frontend"
    assert split["frontend_ms"] > 4 * (split["backend_ms"] + split["network_ms"])
    assert "of this page's load is frontend: the server is not the problem" in split["verdict"]
    assert f"the slowest render-blocking resource is {script}" in split["verdict"]
    blocking = [f for f in page["findings"] if f["kind"] == "render-blocking"]
    assert [f["url"] for f in blocking] == [script]
    assert "add defer" in blocking[0]["message"]
    for run in cold["runs"]:
        (resource,) = [r for r in run["resources"] if r["url"] == script]
        assert resource["render_blocking"] and resource["type"] == "script"
        assert run["fcp_ms"] >= resource["duration_ms"]  # nothing painted before it arrived
    assert "Verdict: " in result.stdout and script in result.stdout
    html = out_html.read_text()
    assert "render-blocking script in &lt;head&gt;" in html and "<head>:" not in html
    assert 'class="bar"' in html and "<script" not in html


@pytest.mark.parametrize("nginx", [True, False], ids=["nginx", "gunicorn-only"])
def test_with_no_url_it_measures_the_demo_site_behind_a_real_server(
    tmp_path: Path, nginx: bool
) -> None:
    assert not nginx or shutil.which("nginx"), "needs nginx: apt-get install -y nginx"
    out_json = tmp_path / "latency.json"
    # /usr/sbin holds nginx; leaving it off PATH makes perfkit serve static files itself.
    path = os.environ["PATH"] if nginx else "/usr/local/bin:/usr/bin:/bin"
    result = perfkit("--runs", "1", "--json", str(out_json), env={"PATH": path})
    assert result.returncode == 0, result.stderr
    report = json.loads(out_json.read_text())
    assert report["target"].startswith("the bundled demo site")
    assert ("nginx" in report["target"]) is nginx
    paths = [r["url"].split("/", 3)[3] for r in report["results"]]
    assert paths == ["", "stories/", "stories/slow/"]
    for page in report["results"]:
        assert page["error"] is None and page["curl_runs"][0]["status"] == 200
        cold, warm = page["modes"]
        assert (cold["mode"], warm["mode"]) == ("cold", "warm")
        css = {}
        for mode in (cold, warm):
            (run,) = mode["runs"]
            assert {e["name"] for e in run["server_timing"]} >= {"db", "app", "total"}
            static = {r["url"].rsplit("/", 1)[1]: r for r in run["resources"]}
            assert {static[name]["status"] for name in ("site.css", "app.js", "logo.png")} == {200}
            css[mode["mode"]] = static["site.css"]["transfer_bytes"]
        # the repeat view takes site.css from the cache or a 304, never the whole file again
        assert css["warm"] < css["cold"]
    assert result.stdout.count("Verdict: ") == 3
