"""The gate's small config file (TOML): policy, per-view allowances, thresholds."""

from __future__ import annotations

import sys
from pathlib import Path

from perfkit.gate.counts import Policy

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

KEYS = {"policy", "min_effect", "hit_ratio_drop", "allowances"}


class ConfigError(ValueError):
    """The gate config has a mistake; the message names the file and key."""


def load(path: Path | None, mode: str | None = None, min_effect: float | None = None) -> Policy:
    """A Policy from the file (if any), with command-line values taking precedence."""
    data: dict = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text())
        except FileNotFoundError:
            raise ConfigError(f"{path}: no such gate config") from None
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise ConfigError(f"{path}: not valid TOML ({error})") from None
    unknown = set(data) - KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown key {sorted(unknown)[0]!r}; accepted: {sorted(KEYS)}")
    policy = Policy(
        mode=mode or data.get("policy", "exact"),
        allowances=data.get("allowances", {}),
        hit_ratio_drop=data.get("hit_ratio_drop", 0.0),
        min_effect=min_effect if min_effect is not None else data.get("min_effect", 0.10),
    )
    if policy.mode not in ("exact", "max"):
        raise ConfigError(f'policy {policy.mode!r} is not accepted; use "exact" or "max"')
    if not all(isinstance(v, int) and v >= 0 for v in policy.allowances.values()):
        raise ConfigError(f"{path}: allowances must be whole numbers of queries, 0 or more")
    if not 0 <= policy.min_effect < 10:
        raise ConfigError(f"min_effect {policy.min_effect} must be a fraction such as 0.10")
    return policy
