"""Who bench requests pages as: anonymous, a plain user, staff with every permission, a superuser.

Each logged-in persona is a user bench creates at every size, with no usable password (bench
logs it in directly). The generated data gives each of them a share of the rows that point
at the user model, so per-user pages ("my loans") have something to list.
"""

from __future__ import annotations

from typing import Any

from perfkit.errors import UsageError

ANONYMOUS = "anonymous"
USER = "user"
STAFF = "staff"
SUPERUSER = "superuser"
#: Every persona, in the order bench requests a page as them.
ALL = (ANONYMOUS, USER, STAFF, SUPERUSER)
#: The usernames of the logged-in personas.
_NAMES = {USER: "perfkit-user", STAFF: "perfkit-staff", SUPERUSER: "perfkit-bench"}
#: ``--login none``: anonymous only.
NONE = "none"


def parse(text: str) -> tuple[str, ...]:
    """``--login``'s comma-separated list: personas and usernames, in order, each once.

    ``none`` is anonymous alone; a name that is not a persona is a username the data (a
    scenario's ``USERS``) must have.
    """
    entries = [part.strip() for part in text.split(",") if part.strip()]
    if not entries:
        raise UsageError(f"--login {text!r} names nobody; try --login {','.join(ALL)}")
    chosen = [ANONYMOUS if entry == NONE else entry for entry in entries]
    return tuple(dict.fromkeys(chosen))


def username(persona: str) -> str | None:
    """The username a persona logs in as (an address where users log in by email).

    None for anonymous; a name that is not a persona is a username already.
    """
    from django.contrib.auth import get_user_model

    if persona == ANONYMOUS:
        return None
    if persona not in _NAMES:
        return persona
    email = get_user_model().USERNAME_FIELD == "email"
    return f"{_NAMES[persona]}@example.invalid" if email else _NAMES[persona]


def create() -> list[Any]:
    """The user, staff and superuser personas, made unless they exist, in that order.

    Staff gets every permission there is (content types and permissions are made by
    ``migrate``); the superuser needs none.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from model_bakery import baker

    model = get_user_model()
    names = {f.name for f in model._meta.concrete_fields}
    made = []
    for persona in (USER, STAFF, SUPERUSER):
        lookup: dict[str, Any] = {model.USERNAME_FIELD: username(persona)}
        found = model._default_manager.filter(**lookup).first()
        if found is None:
            flags: dict[str, Any] = {
                "is_active": True,
                "is_staff": persona != USER,
                "is_superuser": persona == SUPERUSER,
            }
            flags = {name: value for name, value in flags.items() if name in names}
            found = baker.make(model, **lookup, **flags, password=make_password(None))
            if persona == STAFF and hasattr(found, "user_permissions"):
                from django.contrib.auth.models import Permission

                found.user_permissions.set(Permission.objects.all())
        made.append(found)
    return made


def made() -> tuple[list[Any], str | None]:
    """:func:`create` in a savepoint of its own: the personas, or none and why not.

    A custom user model's ``save()`` may refuse them; that is a skip of the data, never the
    end of the run.
    """
    from django.db import transaction

    from perfkit.errors import one_line

    try:
        with transaction.atomic():
            return create(), None
    except Exception as error:
        return [], f"the personas could not be made: {one_line(error)}"


def exists(username: str) -> bool:
    """Whether the data has a user of that name."""
    from django.contrib.auth import get_user_model

    model = get_user_model()
    return model._default_manager.filter(**{model.USERNAME_FIELD: username}).exists()


def check(personas: tuple[str, ...]) -> None:
    """Every username in ``personas`` that is not a persona bench makes exists in the data."""
    for persona in personas:
        if persona in ALL:
            continue
        if not exists(persona):
            raise UsageError(
                f"--login {persona}: no such user in the data; add it to the scenario's USERS "
                f"or use --login {','.join(ALL)}"
            )
