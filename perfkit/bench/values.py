"""Column values that vary across generated rows: every choice, both booleans, dates over a range,
small integers, and empty values where a column allows them.

Left to their defaults, a status field kept one value (an "on loan" list stayed empty) and
every date was today; filled in on every row, a nullable ``deleted_at`` hid every post and a
blank name never showed the fallback a page runs a query for. Values a uniqueness rule covers
are left to model_bakery.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import Model

#: Column types that may be left empty ('') on a blank column; files are left to bench.
_TEXT = ("CharField", "TextField")
_FILES = ("FileField", "ImageField")
#: Integer columns given small values (:func:`_small`), and how many values they cycle through.
_INTEGERS = (
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
)
_SMALL = 10
#: Row i's dates are this many days from now, spread over about a year each way, row 0 today.
_DAYS_STEP, _DAYS_SPAN = 37, 401


def varied(model: type[Model], i: int) -> dict[str, Any]:
    """Row ``i``'s choice, boolean, date, integer and empty values for ``model``'s plain columns.

    Choices and booleans cycle so that the first rows hold every value, and so do the even
    rows alone (those of a foreign key's first parent); the field's default comes first, and
    a nullable one takes None in turn too. The j-th varied column turns over every j + 1
    rows, so that two columns do not move together (djpress shows a post only when it is
    published, a post, and not deleted: in lockstep, no row was all three). A row's dates are
    one moment, each later date field an hour after the one before, so that an end never
    precedes its start. Every other row leaves a nullable column None (the first row among
    them) and a blank text column empty (the second).
    """
    from django.utils import timezone

    values: dict[str, Any] = {}
    fixed = _constrained(model)
    days = (i * _DAYS_STEP + _DAYS_SPAN // 2) % _DAYS_SPAN - _DAYS_SPAN // 2
    moment = timezone.now() + datetime.timedelta(days=days)
    dated = 0
    turn = 0
    for column in model._meta.concrete_fields:
        if column.is_relation or column.primary_key or column.unique or column.name in fixed:
            continue
        if getattr(column, "auto_now", False) or getattr(column, "auto_now_add", False):
            continue
        options = _options(column)
        kind = column.get_internal_type()
        if kind in _FILES:
            continue
        row = i // (turn + 1)
        if options or column.null or (column.blank and kind in _TEXT):
            turn += 1
        if options:
            values[column.name] = options[_index(row, len(options))]
        elif column.null and _index(row, 2) == 0:
            values[column.name] = None
        elif column.blank and kind in _TEXT and _index(row, 2) == 1:
            values[column.name] = ""
        elif kind in ("DateTimeField", "DateField"):
            stamp = moment + datetime.timedelta(hours=dated)
            values[column.name] = stamp if kind == "DateTimeField" else stamp.date()
            dated += 1
        elif kind in _INTEGERS and not column.has_default():
            values[column.name] = _small(column, i)
    return values


def _small(column: Any, i: int) -> int:
    """Row ``i``'s value of a plain integer column: 1 to 10, within the column's validators.

    model_bakery draws from the column's whole range, and pages use such numbers as counts:
    Wagtail indents a collection by ``"&nbsp;" * 4 * depth``, and a drawn depth of two
    billion took all the machine's memory. Real rows hold small counts, orders and levels.
    """
    from django.core.validators import MaxValueValidator, MinValueValidator

    low, high = (0 if "Positive" in column.get_internal_type() else -(2**31)), 2**31 - 1
    for validator in column.validators:
        if isinstance(validator, MinValueValidator) and isinstance(validator.limit_value, int):
            low = max(low, validator.limit_value)
        elif isinstance(validator, MaxValueValidator) and isinstance(validator.limit_value, int):
            high = min(high, validator.limit_value)
    return max(low, min(high, 1 + i % _SMALL))


def _index(i: int, k: int) -> int:
    """Row ``i``'s option of ``k``: rows 0..k-1 take every one, and so do k even rows."""
    return i % k if k % 2 else (i + i // k) % k


def _options(column: Any) -> list[Any]:
    """The values a choice or boolean column takes, its default first."""
    if column.choices:
        options = list(dict.fromkeys(value for value, _label in column.flatchoices))
    elif column.get_internal_type() == "BooleanField":
        options = [False, True]
    else:
        return []
    if column.null:
        options.append(None)
    default = column.get_default() if column.has_default() else None
    if default in options:
        options.remove(default)
        options.insert(0, default)
    return options


def _constrained(model: type[Model]) -> set[str]:
    """Names a ``unique_together`` or a constraint mentions (its fields or its condition)."""
    meta = model._meta
    names = {name for group in meta.unique_together for name in group}
    for constraint in meta.constraints:
        names.update(getattr(constraint, "fields", ()) or ())
        condition = getattr(constraint, "condition", None)
        if condition is not None:
            names.update(name for name in _field_names(model) if name in str(condition))
    return names


def _field_names(model: type[Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields]
