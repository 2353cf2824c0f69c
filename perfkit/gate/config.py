"""The gate's small config file (TOML): policy, per-view allowances, thresholds."""

from __future__ import annotations

import sys
from pathlib import Path

from perfkit.errors import GateConfigError
from perfkit.gate.counts import Policy

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

KEYS = {"policy", "min_effect", "hit_ratio_drop", "allowances"}


def load(path: Path | None, mode: str | None = None, min_effect: float | None = None) -> Policy:
    """A Policy from the file (if any), with command-line values taking precedence."""
    data: dict = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise GateConfigError(f"{path}: no such gate config") from None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise GateConfigError(f"{path}: not valid TOML ({error})") from None
    unknown = set(data) - KEYS
    if unknown:
        raise GateConfigError(
            f"{path}: unknown key {sorted(unknown)[0]!r}; accepted: {sorted(KEYS)}"
        )
    allowances = data.get("allowances", {})
    if not isinstance(allowances, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in allowances.values()
    ):
        raise GateConfigError(
            f"{path}: allowances must be a table of view = whole number of queries, 0 or more"
        )
    hit_ratio_drop = _fraction(path, data, "hit_ratio_drop", 0.0, 1)
    if min_effect is None:
        min_effect = _fraction(path, data, "min_effect", 0.10, 10)
    policy = Policy(
        mode=mode or data.get("policy", "exact"),
        allowances=allowances,
        hit_ratio_drop=hit_ratio_drop,
        min_effect=min_effect,
    )
    if policy.mode not in ("exact", "max"):
        raise GateConfigError(f'policy {policy.mode!r} is not accepted; use "exact" or "max"')
    return policy


def _fraction(path: Path | None, data: dict, key: str, default: float, most: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= most:
        raise GateConfigError(
            f"{path}: {key} {value!r} must be a number from 0 to {most:g}, e.g. 0.10"
        )
    return float(value)
