"""Baseline files: written byte for byte as before, read back equal, and a malformed or newer
file is one clear line, exit 2, in ``gate`` and ``baseline diff`` alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from perfkit.cli import main
from perfkit.errors import BaselineError
from perfkit.gate.baseline import FORMAT, Baseline, load, save
from tests.gate.factories import LIST, baseline, changed

GOOD_VIEW = {
    "sizes": {"5": {"queries": 2, "fingerprints": {"f1": {"count": 1}}, "cache_hit_ratio": None}},
    "verdict": "O(1)",
    "n_plus_one": {},
}


def write(tmp_path: Path, name: str, views: Any, **top: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"format": FORMAT, "views": views, "latency_ms": {}, **top}))
    return path


@pytest.mark.parametrize(
    ("views", "problem"),
    [
        ({"demo:ping": 5}, "view 'demo:ping' has no \"sizes\" object"),
        ({"demo:ping": {"sizes": {"5": []}}}, "view 'demo:ping' size '5' is not an object"),
        (
            {"demo:ping": {"sizes": {"5": {"queries": "two"}}}},
            "view 'demo:ping' size '5' has no whole \"queries\" count",
        ),
        (
            {"demo:ping": {"sizes": {"5": {"queries": 2, "fingerprints": {"f1": 3}}}}},
            "view 'demo:ping' size '5' has \"fingerprints\" that are not objects with a \"count\"",
        ),
        (
            {
                "demo:ping": {
                    "sizes": {"5": {"queries": 2, "fingerprints": {"f1": {"count": True}}}}
                }
            },
            "view 'demo:ping' size '5' has \"fingerprints\" that are not objects with a \"count\"",
        ),
        (
            {"demo:ping": {**GOOD_VIEW, "n_plus_one": []}},
            "view 'demo:ping' has an \"n_plus_one\" that is not an object",
        ),
        (
            {"demo:ping": {**GOOD_VIEW, "n_plus_one": {"f1": "SELECT 1"}}},
            "view 'demo:ping' has an \"n_plus_one\" group 'f1' that is not an object",
        ),
    ],
)
@pytest.mark.parametrize("command", ["gate", "diff"])
def test_a_malformed_view_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], views: Any, problem: str, command: str
) -> None:
    bad = write(tmp_path, "bad.json", views)
    good = write(tmp_path, "good.json", {"demo:ping": GOOD_VIEW})
    argv = (
        ["gate", "--baseline", str(bad), "--current", str(good)]
        if command == "gate"
        else ["baseline", "diff", str(good), str(bad)]
    )
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err == (
        f"perfkit: error: {bad}: {problem}; save the baseline again with "
        "perfkit bench --save-baseline\n"
    )


def test_a_well_formed_baseline_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, "good.json", {"demo:ping": GOOD_VIEW})
    assert main(["baseline", "diff", str(good), str(good)]) == 0
    assert capsys.readouterr().out == "no changes\n"


@pytest.mark.parametrize(
    ("latency", "problem"),
    [
        ({"demo:ping": [1.0]}, 'has "latency_ms" that is not an object'),
        ({"demo:ping": {"5": 1.0}}, "size '5' has \"latency_ms\" that are not a list of numbers"),
        (
            {"demo:ping": {"5": [1.0, "2"]}},
            "size '5' has \"latency_ms\" that are not a list of numbers",
        ),
        (
            {"demo:ping": {"5": [1.0, True]}},
            "size '5' has \"latency_ms\" that are not a list of numbers",
        ),
    ],
)
def test_a_latency_sample_that_is_not_a_number_is_refused(
    tmp_path: Path, latency: Any, problem: str
) -> None:
    bad = write(tmp_path, "bad.json", {"demo:ping": GOOD_VIEW}, latency_ms=latency)
    with pytest.raises(BaselineError) as refused:
        load(bad)
    assert str(refused.value) == (
        f"{bad}: view 'demo:ping' {problem}; save the baseline again with "
        "perfkit bench --save-baseline"
    )


def test_an_environment_that_is_not_an_object_is_refused(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.json", {"demo:ping": GOOD_VIEW}, environment="laptop")
    with pytest.raises(BaselineError) as refused:
        load(bad)
    assert str(refused.value) == f'{bad}: "environment" is not an object'


@pytest.mark.parametrize("version", [2, 10])
def test_a_baseline_of_a_newer_format_asks_for_a_newer_perfkit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], version: int
) -> None:
    newer = write(tmp_path, "newer.json", {}, format=f"perfkit-baseline/{version}")
    assert main(["baseline", "diff", str(newer), str(newer)]) == 2
    assert capsys.readouterr().err == (
        f"perfkit: error: {newer}: the baseline was written by a newer perfkit "
        f"(format {version}); upgrade perfkit\n"
    )


@pytest.mark.parametrize(
    "top",
    [
        {"format": "perfkit-baseline/0"},
        {"format": "perfkit-baseline/01"},
        {"format": "perfkit-baseline/two"},
        {"format": "perfkit-report/2"},
        {"format": 2},
        {},
    ],
)
def test_an_older_or_unknown_format_is_not_a_perfkit_baseline(
    tmp_path: Path, top: dict[str, Any]
) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"views": {}, **top}))
    with pytest.raises(BaselineError) as refused:
        load(path)
    assert str(refused.value) == (
        f'{path}: not a perfkit baseline (expected "format": "perfkit-baseline/1")'
    )


#: What the dict-building code wrote for ``round_tripped()``: sorted keys, indent 2, UTF-8.
WRITTEN = """\
{
  "environment": {
    "cpu": "Intel® Xeon®",
    "fingerprint": "aaaa",
    "python": "3.11.7"
  },
  "format": "perfkit-baseline/1",
  "latency_ms": {
    "shop:items": {
      "10": [
        1.0,
        2.5
      ]
    }
  },
  "views": {
    "shop:items": {
      "n_plus_one": {
        "f1": {
          "callsite": "shop/views.py:10 in items",
          "sql": "SELECT \\"shop_item\\".\\"id\\" FROM \\"shop_item\\""
        }
      },
      "sizes": {
        "10": {
          "cache_hit_ratio": 0.5,
          "fingerprints": {
            "f1": {
              "callsite": "shop/views.py:10 in items",
              "count": 1,
              "sql": "SELECT \\"shop_item\\".\\"id\\" FROM \\"shop_item\\""
            }
          },
          "queries": 2
        }
      },
      "verdict": "O(n)"
    }
  }
}
"""


def round_tripped() -> Baseline:
    group = {"f1": {"callsite": LIST[3], "sql": LIST[1]}}
    base = baseline(2, LIST, verdict="O(n)", n_plus_one=group, ratio=0.5, samples=[1.0, 2.5])
    return changed(base, cpu="Intel® Xeon®")


def test_a_saved_baseline_is_the_same_bytes_and_reads_back_equal(tmp_path: Path) -> None:
    path = tmp_path / "perf" / "baseline.json"
    save(round_tripped(), path)
    assert path.read_text(encoding="utf-8") == WRITTEN
    assert load(path) == round_tripped()
    assert load(path).dumps() == WRITTEN


def test_n_plus_one_api_calls_are_saved_and_read_back(tmp_path: Path) -> None:
    calls = {"GET api.example.com/users/#": {"count": 12, "callsite": "shop/views.py:31 in items"}}
    path = tmp_path / "baseline.json"
    save(baseline(calls=calls), path)
    assert '"n_plus_one_calls"' in path.read_text(encoding="utf-8")
    assert load(path) == baseline(calls=calls)


def test_n_plus_one_api_calls_without_a_count_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    data = baseline().to_json()
    data["views"]["shop:items"]["n_plus_one_calls"] = {"GET h/x": {"callsite": "a.py:1"}}
    path.write_text(json.dumps(data))
    with pytest.raises(BaselineError, match='"n_plus_one_calls" that are not objects'):
        load(path)


def test_full_scans_are_written_and_read_back_and_left_out_when_none(tmp_path: Path) -> None:
    scans = {"full_scan t(a)": {"sql": "SELECT 1", "callsite": "a.py:1", "index": "i"}}
    base = baseline(scans=scans)
    save(base, tmp_path / "b.json")
    assert load(tmp_path / "b.json") == base
    assert json.loads((tmp_path / "b.json").read_text())["views"]["shop:items"]["full_scans"]
    assert "full_scans" not in json.loads(baseline().dumps())["views"]["shop:items"]


def test_unused_eager_loads_are_saved_and_read_back(tmp_path: Path) -> None:
    eager = {'select_related("member") on shop.Loan': {"callsite": "shop/views.py:42", "fix": "…"}}
    path = tmp_path / "baseline.json"
    save(baseline(eager=eager), path)
    assert '"unused_eager_loads"' in path.read_text(encoding="utf-8")
    assert load(path) == baseline(eager=eager)
    save(baseline(), path)
    assert '"unused_eager_loads"' not in path.read_text(encoding="utf-8")


def test_unused_eager_loads_that_are_not_objects_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    data = baseline().to_json()
    data["views"]["shop:items"]["unused_eager_loads"] = {"select_related()": "a.py:1"}
    path.write_text(json.dumps(data))
    with pytest.raises(BaselineError, match='"unused_eager_loads" that are not objects'):
        load(path)
