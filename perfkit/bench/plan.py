"""What one bench run does per size: how the data is made and which targets are requested."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from perfkit.bench import discovery, factories, fill, personas, project
from perfkit.bench.discovery import Discovered
from perfkit.bench.login import Prober
from perfkit.bench.runner import REQUEST_SECONDS, Target
from perfkit.bench.scenario import Scenario
from perfkit.errors import UsageError


@dataclass
class Plan:
    """``populate(size)`` then ``targets()``, as the runner calls them.

    ``make`` fills the data for a size; ``find`` lists the targets (and routes it skipped).
    A ``prober`` (None for the bundled demo, whose views are all public) decides who
    requests each target, of the ``chosen`` personas and usernames.
    """

    make: Callable[[int], fill.Filled | None]
    find: Callable[[int], Discovered]
    prober: Prober | None = None
    chosen: tuple[str, ...] = (personas.ANONYMOUS,)
    users: Callable[[], None] = lambda: None
    size: int = 0
    found: Discovered | None = None
    #: Models the generated data could not fill, by label: the first reason given.
    unfilled: dict[str, dict[str, str]] = field(default_factory=dict)

    def populate(self, size: int) -> None:
        self.size = size
        filled = self.make(size)
        for entry in filled.skipped if filled is not None else ():
            self.unfilled.setdefault(entry["model"], {**entry, "size": str(size)})
        if filled is None and self.prober is not None and self.chosen != (personas.ANONYMOUS,):
            self._personas()  # a scenario's setup made the data
        self.users()
        personas.check(self.chosen)
        project.clear_caches()

    def _personas(self) -> None:
        from django.contrib.auth import get_user_model

        _made, refused = personas.made()
        if refused is not None:
            label = get_user_model()._meta.label
            self.unfilled.setdefault(label, {"model": label, "reason": refused})

    def targets(self) -> list[Target]:
        self.found = self.find(self.size)
        for user in sorted({t.user for t in self.found.targets if t.user is not None}):
            if not personas.exists(user):
                path = next(t.path for t in self.found.targets if t.user == user)
                raise UsageError(
                    f"the scenario requests {path} as {user!r}: no such user in the data; add "
                    "it to the scenario's USERS"
                )
        if self.prober is None:
            return self.found.targets
        return self.prober.apply(self.found.targets, self.size)

    @property
    def skipped(self) -> list[dict[str, str]]:
        """Models left unfilled, routes left unfilled and targets the probe left out, with why."""
        routes = self.found.skipped if self.found is not None else []
        probed = self.prober.skipped if self.prober is not None else []
        return [*self.unfilled.values(), *routes, *probed]


def demo_plan(
    scenario: Scenario | None, chosen: tuple[str, ...], seconds: float = REQUEST_SECONDS
) -> Plan:
    """The bundled demo, or the demo driven by a scenario (its URLs, setup and users)."""
    from perfkit.bench import demo_site

    def listed(size: int) -> Discovered:
        return Discovered(demo_site.targets())

    if scenario is None:
        return Plan(make=demo_site.populate, find=listed)

    def make(size: int) -> None:
        fill.wipe()
        if scenario.setup is None:
            demo_site.populate(size)
        scenario.build(size)

    return _with_scenario(scenario, make, listed, chosen, seconds)


def project_plan(
    scenario: Scenario | None,
    chosen: tuple[str, ...],
    root: Path,
    seconds: float = REQUEST_SECONDS,
) -> Plan:
    """A user's project: generated data and discovered URLs, unless a scenario names its own."""
    models = fill.project_models(root)
    makers = factories.found(root, models)

    def make(size: int) -> fill.Filled | None:
        fill.wipe()
        if scenario is not None and scenario.setup is not None:
            scenario.build(size)
            return None
        return fill.fill(models, size, makers=makers)

    return _with_scenario(scenario, make, lambda size: discovery.discover(), chosen, seconds)


def _with_scenario(
    scenario: Scenario | None,
    make: Callable[[int], fill.Filled | None],
    fallback: Callable[[int], Discovered],
    chosen: tuple[str, ...],
    seconds: float,
) -> Plan:
    find = fallback
    if scenario is not None and scenario.urls is not None:

        def find(size: int) -> Discovered:
            return Discovered(scenario.targets(size))

    users = scenario.create_users if scenario is not None else (lambda: None)
    return Plan(make=make, find=find, prober=Prober(chosen, seconds), chosen=chosen, users=users)
