"""Find the line of user code (and template) that issued a query."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import os
import re
import sysconfig
from types import CodeType, FrameType
from typing import Any

import asgiref
import asgiref.sync
import django
from django.template import base as template_base

import perfkit

_STDLIB = os.path.realpath(sysconfig.get_paths()["stdlib"]) + os.sep
_THIRD_PARTY_MARKERS = (os.sep + "site-packages" + os.sep, os.sep + "dist-packages" + os.sep)
_ALWAYS_SKIPPED = tuple(
    os.path.realpath(os.path.dirname(module.__file__ or "")) + os.sep
    for module in (django, asgiref, perfkit)
)
#: Instrumentation that wraps the database cursor, found by module name (it may not be installed).
_ALWAYS_IGNORED_MODULES = ("debug_toolbar.",)
_USER_CODE_INSIDE_PERFKIT = os.path.realpath(os.path.dirname(perfkit.__file__ or "")) + (
    f"{os.sep}demo{os.sep}"
)
#: perfkit's request entry point: the walk stops there, because everything above it is the
#: server, not the application (a library view such as the admin has no application frame).
_BOUNDARY_FILE = os.path.join(
    os.path.realpath(os.path.dirname(perfkit.__file__ or "")), "middleware.py"
)
NO_APPLICATION_FRAME = "(library code: no application frame)"
_RENDER_ANNOTATED: CodeType = template_base.Node.render_annotated.__code__
_THREAD_HANDLER: CodeType = asgiref.sync.SyncToAsync.thread_handler.__code__

#: The asyncio task serving the current async request: ORM calls run in ``sync_to_async``
#: threads whose own stack does not contain the view, so the view is found in the task's stack.
current_task: contextvars.ContextVar[asyncio.Task[Any] | None] = contextvars.ContextVar(
    "perfkit_task", default=None
)


@functools.lru_cache(maxsize=1024)
def short_path(filename: str) -> str:
    """A path relative to site-packages or the current directory, else above its package."""
    for marker in _THIRD_PARTY_MARKERS:
        if marker in filename:
            return filename.split(marker, 1)[1]
    cwd = os.getcwd() + os.sep
    if filename.startswith(cwd):
        return filename[len(cwd) :]
    directory = os.path.dirname(filename)
    while directory != os.path.dirname(directory) and not _is_package(directory):
        directory = os.path.dirname(directory)
    if not _is_package(directory):
        return filename
    while _is_package(os.path.dirname(directory)):
        directory = os.path.dirname(directory)
    return os.path.relpath(filename, os.path.dirname(directory))


def _is_package(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "__init__.py"))


#: How a frame is treated on the walk outward from a query.
_SKIP, _APPLICATION, _LIBRARY, _BOUNDARY = range(4)


def _view_callers() -> frozenset[CodeType]:
    """Django's frames that call the view: what lies outward of them is middleware."""
    from django.core.handlers.base import BaseHandler

    return frozenset(
        {
            BaseHandler._get_response.__code__,  # type: ignore[attr-defined]  # private, not in the stubs
            BaseHandler._get_response_async.__code__,  # type: ignore[attr-defined]  # (same)
        }
    )


class CallsiteFinder:
    """Walks a stack outward to the frame of the project's own code that issued a query.

    Django, perfkit, the stdlib and ignored modules are walked past. Installed packages
    (site-packages) are walked past too, so DRF's fields or a third-party middleware are
    never named while a project frame is further out; the innermost package frame inside the
    view is named only when the view has no project frame at all (a third-party app's view).
    Outward of Django's view call every frame is a middleware wrapping the request, the
    project's own included, and is never named: a query issued there was issued inside the
    view (a lazily rendered TemplateResponse: the template line is the answer).
    """

    def __init__(self, ignore_modules: tuple[str, ...] = ()) -> None:
        self._ignore_modules = ignore_modules
        self._kind: dict[CodeType, int] = {}
        self._view_callers = _view_callers()

    def _kind_of(self, frame: FrameType) -> int:
        code = frame.f_code
        kind = self._kind.get(code)
        if kind is None:
            kind = self._kind[code] = self._classify(
                code.co_filename, frame.f_globals.get("__name__", "")
            )
        return kind

    def _classify(self, filename: str, module: str) -> int:
        if filename.startswith("<"):
            return _SKIP
        path = os.path.realpath(filename)
        if path == _BOUNDARY_FILE:
            return _BOUNDARY
        if path.startswith(_USER_CODE_INSIDE_PERFKIT):
            return _APPLICATION
        if path.startswith(_ALWAYS_SKIPPED):
            return _SKIP
        if module.startswith(_ALWAYS_IGNORED_MODULES + self._ignore_modules):
            return _SKIP
        if any(marker in path for marker in _THIRD_PARTY_MARKERS):
            return _LIBRARY
        if path.startswith(_STDLIB):
            return _SKIP
        return _APPLICATION

    def find(self, frame: FrameType | None) -> str:
        """``path:line in function``, prefixed by ``template:line via`` for template queries."""
        template = None
        library: FrameType | str | None = None
        in_view = True
        kinds = self._kind
        while frame is not None:
            code = frame.f_code
            kind = kinds.get(code)
            if kind is None:
                kind = self._kind_of(frame)
            if kind == _BOUNDARY:
                break
            if code is _RENDER_ANNOTATED:
                if template is None:
                    template = _template_line(frame)
            elif code is _THREAD_HANDLER and (task := current_task.get() or _task_of(frame)):
                frame = self._innermost_user_frame(task)
                continue
            elif kind == _APPLICATION and in_view:
                return _site(template, frame)
            elif kind == _LIBRARY and in_view and not isinstance(library, str):
                # The innermost package frame, unless a DRF serializer field is further out.
                library = _serializer_field(frame) or library or frame
            elif code in self._view_callers:
                in_view = False
            frame = frame.f_back
        if isinstance(library, str):
            return f"{template} via {library}" if template else library
        if template is not None:
            return template  # a library's view rendered the project's template
        if library is not None:
            return _site(None, library)
        return NO_APPLICATION_FRAME

    def application_line(self, frame: FrameType | None) -> str | None:
        """``path:line in function`` of the innermost project frame, else None.

        Unlike :meth:`find`, installed packages are never named: the line is the project's
        own (a class body building a queryset at import counts), or there is none.
        """
        while frame is not None:
            kind = self._kind_of(frame)
            if kind == _BOUNDARY:
                return None
            if kind == _APPLICATION:
                return _site(None, frame)
            frame = frame.f_back
        return None

    def _innermost_user_frame(self, task: asyncio.Task[Any]) -> FrameType | None:
        """The innermost frame of the awaiting coroutines that is user code."""
        found = None
        awaited: object = task.get_coro()
        while awaited is not None:
            frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "ag_frame", None)
            if frame is not None and self._kind_of(frame) == _APPLICATION:
                found = frame
            awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "ag_await", None)
        return found


def _serializer_field(frame: FrameType) -> str | None:
    """``path:line in BookSerializer.author`` for a query run while DRF serializes a field.

    A stock viewset has no project frame: the line that declares the serializer field (or
    the serializer, for a field its ``Meta`` lists) is the project's part in the query.
    """
    code = frame.f_code
    if code.co_name != "to_representation" or not frame.f_globals.get("__name__", "").startswith(
        "rest_framework.serializers"
    ):
        return None
    values = frame.f_locals
    field, serializer = values.get("field"), values.get("self")
    name = getattr(field, "field_name", None)
    if serializer is None or not isinstance(name, str):
        return None
    cls: type = type(serializer)
    where = _declaration(cls, name)
    return f"{where} in {cls.__name__}.{name}" if where else None


@functools.lru_cache(maxsize=256)
def _declaration(cls: type, name: str) -> str | None:
    """``path:line`` of ``name = …`` in the body of ``cls`` or the base that declares it, else
    of ``cls``'s class statement (a field its ``Meta`` lists)."""
    declared = re.compile(rf"\s*{re.escape(name)}\s*[:=]")
    for owner in cls.__mro__:
        found = _source(owner)
        if found is not None:
            path, lines, first = found
            offset = next((i for i, line in enumerate(lines) if declared.match(line)), None)
            if offset is not None:
                return f"{path}:{first + offset}"
    found = _source(cls)
    return f"{found[0]}:{found[2]}" if found else None


def _source(cls: type) -> tuple[str, list[str], int] | None:
    """A class's short path, source lines and first line; None for library or unknown code."""
    try:
        lines, first = inspect.getsourcelines(cls)
        path = inspect.getsourcefile(cls)
    except (OSError, TypeError):
        return None
    if path is None or any(m in os.path.realpath(path) for m in _THIRD_PARTY_MARKERS):
        return None
    return short_path(os.path.realpath(path)), lines, first


def _site(template: str | None, frame: FrameType) -> str:
    code = frame.f_code
    site = f"{short_path(code.co_filename)}:{frame.f_lineno} in {code.co_name}"
    return f"{template} via {site}" if template else site


def _task_of(handler: FrameType) -> asyncio.Task[Any] | None:
    """The task awaiting a ``sync_to_async`` call that runs the way WSGI runs an async view.

    There the middleware ran synchronously (so ``current_task`` is unset), Django's
    ``async_to_sync`` runs the view on an event loop of its own, and the ORM call comes back to
    the request's thread: the view is the one task on that loop.
    """
    loop = handler.f_locals.get("loop")
    if not isinstance(loop, asyncio.AbstractEventLoop):
        return None
    tasks = asyncio.all_tasks(loop)
    return tasks.pop() if len(tasks) == 1 else None


def _template_line(frame: FrameType) -> str | None:
    node = frame.f_locals.get("self")
    origin = getattr(node, "origin", None)
    token = getattr(node, "token", None)
    if origin is None or token is None:
        return None
    return f"{_template_name(origin)}:{token.lineno}"


def _template_name(origin: template_base.Origin) -> str:
    name = str(origin.name)
    return short_path(name) if os.path.isabs(name) else name
