"""Baselines for gate tests: the JSON perfkit bench writes, read as the gate reads it."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from perfkit.gate.baseline import Baseline

ENV = {"fingerprint": "aaaa", "cpu": "test cpu", "python": "3.11.7"}


def fingerprints(*entries: tuple[str, str, int, str]) -> dict[str, Any]:
    return {fp: {"sql": sql, "count": n, "callsite": site} for fp, sql, n, site in entries}


LIST = ("f1", 'SELECT "shop_item"."id" FROM "shop_item"', 1, "shop/views.py:10 in items")
OWNER = (
    "f2",
    'SELECT "auth_user"."id" FROM "auth_user" WHERE "auth_user"."id" = #',
    10,
    "shop/templates/items.html:4 via shop/views.py:12 in items",
)


def baseline(
    queries: int = 2, *fps: tuple, verdict: str = "O(1)", n_plus_one=None, **extra
) -> Baseline:
    fps = fps or (
        LIST,
        ("f3", 'SELECT "auth_user"."id" FROM "auth_user"', 1, "shop/views.py:11 in items"),
    )
    data = {
        "format": "perfkit-baseline/1",
        "environment": dict(ENV),
        "views": {
            "shop:items": {
                "sizes": {
                    "10": {
                        "queries": queries,
                        "fingerprints": fingerprints(*fps),
                        "cache_hit_ratio": extra.get("ratio"),
                    }
                },
                "verdict": verdict,
                "n_plus_one": n_plus_one or {},
                "n_plus_one_calls": extra.get("calls", {}),
                **({"full_scans": extra["scans"]} if "scans" in extra else {}),
                "unused_eager_loads": extra.get("eager", {}),
            }
        },
        "latency_ms": {"shop:items": {"10": extra.get("samples", [1.0] * 10)}},
    }
    return Baseline.from_json(data, Path("factory.json"))


def changed(base: Baseline, **environment: str) -> Baseline:
    other = copy.deepcopy(base)
    other.environment.update(environment)
    return other
