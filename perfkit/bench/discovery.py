"""URL discovery: every route of the URLconf as a GET target, parameters filled from the data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from perfkit.bench import query_params
from perfkit.bench.fill import django_own
from perfkit.bench.runner import Target
from perfkit.errors import one_line

if TYPE_CHECKING:
    from django.db.models import Model

_ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")
#: ``(?P<app_label>auth|blog)`` in a regex route: the admin's app index, for one.
_REGEX_CHOICES = re.compile(r"\(\?P<(?P<name>\w+)>(?P<first>[\w-]+)(?:\|[\w-]+)*\)")
_PK_NAMES = ("pk", "id", "object_id")
#: Routes whose GET switches the site's state for everyone after it: logging the persona out,
#: turning a mode on or off (django-maintenance-mode's ``maintenance-mode/on/`` answered every
#: later request 503). Discovery leaves them out; a scenario can still name them.
SWITCHES = re.compile(
    r"(?:^|/)(?:log-?out|sign-?out|on|off|enable|disable|toggle|activate|deactivate)/?$",
    re.IGNORECASE,
)
SWITCH_REASON = "a GET that switches the site's state (logout, on/off): name it in a scenario"


@dataclass
class Route:
    """One URL pattern with the patterns of the includes above it."""

    name: str | None
    patterns: list[Any]
    callback: Any

    @property
    def text(self) -> str:
        return "/" + "".join(_pattern_text(p) for p in self.patterns)

    @property
    def label(self) -> str:
        return self.name or self.text


@dataclass
class Discovered:
    """What discovery found: targets to request, and routes it could not fill, with why."""

    targets: list[Target] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)


def routes(urlconf: str | None = None) -> list[Route]:
    """Every URL pattern of ``urlconf`` (the project's ROOT_URLCONF by default), in order."""
    from django.urls import get_resolver

    return list(_walk(get_resolver(urlconf).url_patterns, [], ""))


def _walk(patterns: list[Any], above: list[Any], namespace: str) -> Iterator[Route]:
    from django.urls import URLResolver

    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, [*above, entry.pattern], inner)
        else:
            name = f"{namespace}{entry.name}" if entry.name else None
            yield Route(name, [*above, entry.pattern], entry.callback)


def _pattern_text(pattern: Any) -> str:
    return str(pattern).removeprefix("^").removesuffix("$")


def discover(urlconf: str | None = None) -> Discovered:
    """Targets for every route; parameters filled from the rows now in the database.

    A view that reads a search parameter gets one (:mod:`perfkit.bench.query_params`).
    """
    found = Discovered()
    filler = _Filler()
    for route in routes(urlconf):
        if SWITCHES.search(route.text):
            found.skipped.append({"url": route.text, "reason": SWITCH_REASON})
            continue
        try:
            path, reason = filler.path(route)
        except Exception as error:  # the project's models and converters may raise anything
            path, reason = None, f"parameters could not be filled: {one_line(error)}"
        if path is None:
            found.skipped.append({"url": route.text, "reason": reason})
            continue
        params = query_params.read_by(route.callback)
        if params:
            path = f"{path}?{urlencode(params)}"
        found.targets.append(Target(route.label, path))
    return found


class _Filler:
    """Fills one route's parameters; remembers each model's best object."""

    def __init__(self) -> None:
        self.best: dict[type[Model], Any] = {}
        self.absolute: dict[Any, str] | None = None

    def path(self, route: Route) -> tuple[str | None, str]:
        """The route's path with its parameters filled, or None and the reason why not."""
        fmt, params = _format(route)
        if not params:
            return fmt, ""
        from_model = self._from_absolute_url(route)
        if from_model is not None:
            return from_model, ""
        values = {}
        for name, converter in params.items():
            value, reason = self._value(route, name, converter)
            if value is None:
                return None, reason
            values[name] = value
        return fmt % values, ""

    def object(self, model: type[Model]) -> Any:
        """The row of ``model`` with the most related rows (then the lowest key), or None."""
        if model not in self.best:
            self.best[model] = most_related(model)
        return self.best[model]

    def _from_absolute_url(self, route: Route) -> str | None:
        if self.absolute is None:
            self.absolute = self._absolute_urls()
        return self.absolute.get(route.name) or self.absolute.get(route.callback)

    def _absolute_urls(self) -> dict[Any, str]:
        """Each model's best row's ``get_absolute_url()``, by the view name and view it resolves to.

        Found once per size: looking through every model for every route made discovery
        quadratic on projects with hundreds of routes.
        """
        from django.apps import apps
        from django.urls import resolve

        found: dict[Any, str] = {}
        for model in apps.get_models():
            if not hasattr(model, "get_absolute_url"):
                continue
            try:
                obj = self.object(model)
                if obj is None:
                    continue
                url = obj.get_absolute_url()
                match = resolve(url)
            except Exception:  # the user's get_absolute_url may raise anything; try the next
                continue
            found.setdefault(match.view_name, url)
            found.setdefault(match.func, url)
        return found

    def _value(self, route: Route, name: str, converter: Any) -> tuple[str | None, str]:
        if isinstance(converter, tuple):
            return converter[0], ""
        if name == "format":  # DRF's format_suffix_patterns: the same view as the route without
            return None, "a format-suffix copy (.json) of a route requested without the suffix"
        model, attribute = _view_model(route.callback, name) or _model_for(name, route)
        if model is None:
            return None, f"no data for <{name}>: no model or unique field by that name"
        obj = self.object(model)
        if obj is None:
            return None, _no_rows(model, name)
        if attribute is None or (_is_int(converter) and attribute != "pk"):
            attribute = "pk" if _is_int(converter) else _natural_field(model)
        value = getattr(obj, attribute)
        return (converter.to_url(value) if converter is not None else str(value)), ""


def _no_rows(model: type[Model], name: str) -> str:
    """Why no row fills ``<name>``: none made, or none the model's default manager shows."""
    hidden = model._base_manager.count()
    if hidden:
        return (
            f"no {model.__name__} rows its default manager shows to fill <{name}> "
            f"({hidden} made; the manager filters them out)"
        )
    return f"no {model.__name__} rows to fill <{name}>"


def _format(route: Route) -> tuple[str, dict[str, Any]]:
    """A %-format of the full path, and each parameter's converter (or its regex choices)."""
    from django.urls.resolvers import RegexPattern, RoutePattern
    from django.utils.regex_helper import normalize

    text = "/"
    params: dict[str, Any] = {}
    for pattern in route.patterns:
        if isinstance(pattern, RoutePattern):
            params.update(pattern.converters)
            route_text = str(pattern).replace("%", "%%")
            text += _ROUTE_PARAMETER.sub(lambda m: f"%({m['parameter']})s", route_text)
        elif isinstance(pattern, RegexPattern):
            regex = pattern.regex.pattern
            choices = {m["name"]: m["first"] for m in _REGEX_CHOICES.finditer(regex)}
            fmt, names = normalize(regex)[0]
            text += fmt
            params.update({name: (choices[name],) if name in choices else None for name in names})
        else:
            text += str(pattern).replace("%", "%%")
    return text, params


def _view_model(callback: Any, name: str) -> tuple[type[Model], str] | None:
    """The model behind a generic class-based view or a ModelAdmin, for pk/slug parameters."""
    model, view = _callback_model(callback)
    if model is None:
        return None
    lookup = getattr(view, "lookup_field", None)  # DRF: the field, and the URL kwarg naming it
    if lookup is not None and name == (getattr(view, "lookup_url_kwarg", None) or lookup):
        return model, lookup
    pk_names = {*_PK_NAMES, getattr(view, "pk_url_kwarg", "pk")}
    if name in pk_names:
        return model, "pk"
    if name in ("slug", getattr(view, "slug_url_kwarg", "slug")):
        return model, getattr(view, "slug_field", "slug")
    return None


def _callback_model(callback: Any) -> tuple[type[Model] | None, Any]:
    seen = callback
    while seen is not None:
        # Django's class-based views carry view_class; DRF's viewsets (router routes) cls.
        view = getattr(seen, "view_class", None) or getattr(seen, "cls", None)
        if view is not None:
            model = getattr(view, "model", None)
            queryset = getattr(view, "queryset", None)
            if model is None and queryset is not None:
                model = queryset.model
            if model is not None:
                return model, view
        admin: Any = getattr(seen, "model_admin", None) or getattr(seen, "__self__", None)
        if getattr(admin, "model", None) is not None:
            return admin.model, admin
        seen = getattr(seen, "__wrapped__", None)
    return None, None


def _model_for(name: str, route: Route) -> tuple[type[Model] | None, str | None]:
    """A model from the parameter's name: a unique field of that name, or the model's name."""
    from django.apps import apps

    models = apps.get_models()
    unique = [m for m in models if name in _unique_fields(m)]
    if unique:
        return _closest(unique, route), name
    base, attribute = name, None
    for suffix, wanted in (("_id", "pk"), ("_pk", "pk"), ("_slug", "slug")):
        if name.endswith(suffix):
            base, attribute = name.removesuffix(suffix), wanted
    squashed = base.replace("_", "").lower()
    named = [
        m
        for m in models
        if squashed in (m._meta.model_name, str(m._meta.verbose_name).replace(" ", "").lower())
    ]
    if named:
        return _closest(named, route), attribute
    return None, None


def _closest(models: list[type[Model]], route: Route) -> type[Model]:
    """Of several models, the one named in the route or its view, else the first."""
    words = (route.text + " " + (route.name or "")).lower()
    for model in models:
        name = model._meta.model_name
        if name is not None and name in words:  # (a model class always has its name)
            return model
    return models[0]


def _unique_fields(model: type[Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.unique and not f.primary_key and not f.is_relation
    ]


def _natural_field(model: type[Model]) -> str:
    """The field a URL most likely carries for ``model``: slug, username, name, else the pk."""
    unique = _unique_fields(model)
    for preferred in ("slug", getattr(model, "USERNAME_FIELD", None), "name", "code"):
        if preferred in unique:
            return preferred
    return unique[0] if unique else "pk"


def _is_int(converter: Any) -> bool:
    return type(converter).__name__ == "IntConverter"


def most_related(model: type[Model]) -> Any:
    """The row with the most rows in one relation (reverse foreign key or many-to-many), or None.

    Relations to Django's own models are not counted: staff holding every permission is not
    the user with the most to show. Each relation is counted in a query of its own: one
    query counting them all joins every relation at once, and the rows multiply (a model
    with a dozen relations kept PostgreSQL busy for minutes on NetBox's test data).
    """
    from django.db.models import Count

    rows = model._default_manager.all()
    best: tuple[int, Any] | None = None
    for relation in model._meta.get_fields():
        if not (relation.is_relation and (relation.one_to_many or relation.many_to_many)):
            continue
        related = relation.related_model
        assert related is not None  # a reverse or many-to-many relation has its model
        if django_own(related):
            continue
        try:
            top = (
                rows.annotate(perfkit_related=Count(relation.name))
                .order_by("-perfkit_related", "pk")
                .values_list("perfkit_related", "pk")
                .first()
            )
        except Exception:  # a relation Count cannot follow (a third-party manager): next one
            continue
        if top is not None and (best is None or top[0] > best[0]):
            best = top
    if best is None or best[0] == 0:
        return rows.order_by("pk").first()
    return rows.get(pk=best[1])
