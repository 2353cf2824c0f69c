"""CI outputs of a gate run: JUnit XML, GitHub annotations and summary, OpenMetrics."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from perfkit.gate.findings import Finding, GateResult
from perfkit.renderers import gate_github, gate_junit, gate_openmetrics
from tests.gate.factories import baseline

SITE = "shop/templates/items.html:4 via shop/views.py:12 in items"


def result() -> GateResult:
    return GateResult(
        findings=[
            Finding("shop:items", "query_count", False, "n=10: 2 → 11 queries", SITE),
            Finding("shop:items", "o_n", True, "O(1)"),
            Finding("shop:<b>|x", "latency", True, "too few", skipped=True),
        ],
        latency_compared=False,
        notes=["latency not gated: another machine"],
    )


def test_junit_has_one_testcase_per_view_and_check() -> None:
    suite = ET.fromstring(gate_junit.render(result()))
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "1", "1")
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("shop:items", "query_count"),
        ("shop:items", "o_n"),
        ("shop:<b>|x", "latency"),
    ]
    failure = cases[0].find("failure")
    assert failure.get("message") == "n=10: 2 → 11 queries"
    assert (cases[0].get("file"), cases[0].get("line")) == ("shop/templates/items.html", "4")
    assert cases[2].find("skipped") is not None


def test_github_annotation_points_at_the_call_site() -> None:
    assert gate_github.annotations(result()) == [
        "::error file=shop/templates/items.html,line=4,"
        "title=perfkit query_count%3A shop%3Aitems::n=10: 2 → 11 queries"
    ]


def test_github_summary_escapes_table_cells() -> None:
    text = gate_github.summary(result())
    assert text.startswith("## ❌ perfkit gate failed")
    assert "| `shop:<b>\\|x` | latency | skipped | too few |" in text
    assert "1 checks passed, 1 failed." in text


def test_openmetrics_lines() -> None:
    lines = gate_openmetrics.render(result(), baseline(3)).splitlines()
    assert 'perfkit_queries{view="shop:items",size="10"} 3' in lines
    assert 'perfkit_wall_ms_median{view="shop:items",size="10"} 1.0' in lines
    assert 'perfkit_check_failed{view="shop:items",check="query_count"} 1' in lines
    assert 'perfkit_check_failed{view="shop:items",check="o_n"} 0' in lines
