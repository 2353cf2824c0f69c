"""The JSON report: documented keys, stable text, a faithful round trip."""

from __future__ import annotations

import json
import math
from dataclasses import fields
from pathlib import Path

from perfkit.analysis.report import (
    CachingCandidate,
    ExplainedStatement,
    NPlusOneGroup,
    PlanFinding,
    Report,
    SizePlan,
    SizeStats,
    ViewReport,
)
from perfkit.renderers import bench_json as json_renderer
from tests.renderers.conftest import build


def names(cls: type) -> set[str]:
    return {f.name for f in fields(cls)}


def test_keys_are_exactly_the_documented_schema(report: Report) -> None:
    data = json.loads(json_renderer.dumps(report))
    assert set(data) == {
        "schema",
        "source",
        "records",
        "sizes",
        "views",
        "caching_candidates",
        "repeated_queries",
        "skipped",
        "failed",
        "refused_calls",
        "changes",
        "explain",
        "explained",
    }
    assert data["schema"] == 1
    (statement,) = data["explained"]
    assert set(statement) == names(ExplainedStatement)
    assert set(statement["findings"][0]) == names(PlanFinding)
    assert set(statement["plans"][0]) == names(SizePlan)
    assert statement["findings"][0]["index"] == 'models.Index(fields=["reader", "-created"])'
    story_list = next(v for v in data["views"] if v["view"] == "news:story_list")
    assert set(story_list) == names(ViewReport)
    assert story_list["flags"] == ["o_n_queries", "n_plus_one"]
    assert set(story_list["fit"]) == {"intercept", "slope", "points", "verdict", "formula"}
    assert story_list["fit"]["formula"] == "queries ≈ 1 + 2·n"
    assert story_list["fit"]["points"] == [[10, 21], [50, 101]]
    assert set(story_list["n_plus_one"][0]) == names(NPlusOneGroup)
    assert story_list["n_plus_one"][0]["fix"] == 'select_related("author")'
    assert set(story_list["sizes"][0]) == names(SizeStats)
    assert set(data["caching_candidates"][0]) == names(CachingCandidate)
    assert data["caching_candidates"][0]["invalidated_by"] == ["news:story_add"]


def test_round_trip_equals_the_model_and_text_is_stable(report: Report) -> None:
    text = json_renderer.dumps(report)
    data = json.loads(text)
    assert data.pop("schema") == 1
    assert data == json.loads(json.dumps(report.to_dict()))
    assert text == json_renderer.dumps(build())
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_non_finite_numbers_become_null(report: Report) -> None:
    report.views[0].sizes[0].wall_p50_ms = math.nan
    report.views[0].sizes[0].db_ms_mean = math.inf
    text = json_renderer.dumps(report)
    assert "NaN" not in text and "Infinity" not in text
    size = json.loads(text)["views"][0]["sizes"][0]
    assert (size["wall_p50_ms"], size["db_ms_mean"]) == (None, None)


def test_write_puts_the_same_text_in_a_file(report: Report, tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    json_renderer.write(report, path)
    assert path.read_text(encoding="utf-8") == json_renderer.dumps(report)


def keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for item in value.values() for k in keys(item)}
    if isinstance(value, list):
        return {k for item in value for k in keys(item)}
    return set()


def test_docs_name_every_key(report: Report) -> None:
    docs = (Path(__file__).parents[2] / "docs" / "report-json.md").read_text(encoding="utf-8")
    data = json.loads(json_renderer.dumps(report))
    undocumented = {k for k in keys(data) - {"200", "500"} if f"`{k}`" not in docs}
    assert undocumented == set()
