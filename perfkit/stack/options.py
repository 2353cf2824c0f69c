"""What stack to start: the choices `perfkit stack up` and the load matrix vary."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

DEMO_APP = "perfkit.demo.wsgi:application"
DEMO_SETTINGS = "perfkit.demo.settings"
CACHES = ("memcached", "redis", "none")
POOLERS = ("pgbouncer", "none")
STORES = ("postgresql", "redis")
#: The range of each numeric stack option: ``perfkit stack up`` and ``--matrix`` check it.
LIMITS = {"app_servers": (1, 32), "workers": (1, 64), "threads": (1, 64), "size": (1, 100_000)}


@dataclass(frozen=True)
class StackOptions:
    """The stack's shape; every field has the default `perfkit stack up` uses."""

    app: str = DEMO_APP
    settings: str = DEMO_SETTINGS
    app_servers: int = 2
    workers: int = 2
    threads: int = 1
    cache: str = "memcached"
    pooler: str = "pgbouncer"
    store: str = "postgresql"
    size: int = 50
    port: int = 0
    pool_size: int = 10

    @property
    def is_demo(self) -> bool:
        return self.app == DEMO_APP

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def with_values(self, **values: Any) -> StackOptions:
        return replace(self, **values)
