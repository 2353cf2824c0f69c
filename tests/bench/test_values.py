"""Column values that vary across generated rows: every choice, both booleans, spread dates."""

from __future__ import annotations

from datetime import date, datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.test.utils import isolate_apps

from perfkit.bench import values

STATUSES = [("open", "Open"), ("closed", "Closed"), ("on_hold", "On hold"), ("archived", "Old")]


@isolate_apps("perfkit.demo")
def test_every_choice_and_both_booleans_show_in_the_first_rows_and_in_the_even_rows() -> None:
    class Ticket(models.Model):
        status = models.CharField(max_length=10, choices=STATUSES, default="closed")
        priority = models.IntegerField(choices=[(1, "low"), (2, "mid"), (3, "high")])
        public = models.BooleanField(default=True)

        class Meta:
            app_label = "demo"

    made = [values.varied(Ticket, i) for i in range(24)]
    assert made[0]["status"] == "closed" and made[0]["public"] is True  # the default first
    # The j-th column turns over every j + 1 rows.
    for turn, (field, options) in enumerate((("status", 4), ("priority", 3), ("public", 2))):
        first = options * (turn + 1)
        assert len({row[field] for row in made[:first]}) == options, field
        assert len({row[field] for row in made[0 : 2 * first : 2]}) == options, field


@isolate_apps("perfkit.demo")
def test_columns_do_not_move_together() -> None:
    class Post(models.Model):
        published = models.BooleanField(default=False)
        is_page = models.BooleanField(default=False)
        pinned = models.BooleanField(default=False)

        class Meta:
            app_label = "demo"

    rows = [values.varied(Post, i) for i in range(12)]
    combinations = {(r["published"], r["is_page"], r["pinned"]) for r in rows}
    assert len(combinations) == 8


@isolate_apps("perfkit.demo")
def test_columns_a_uniqueness_rule_covers_are_left_alone() -> None:
    class Shelf(models.Model):
        code = models.CharField(max_length=5, choices=STATUSES, unique=True)
        kind = models.CharField(max_length=10, choices=STATUSES)
        is_default = models.BooleanField(default=False)
        archived = models.BooleanField(default=False)
        owner = models.IntegerField()

        class Meta:
            app_label = "demo"
            unique_together = [("owner", "kind")]
            constraints = [
                models.UniqueConstraint(
                    fields=["owner"], condition=models.Q(is_default=True), name="one_default"
                )
            ]

    assert set(values.varied(Shelf, 1)) == {"archived"}


@isolate_apps("perfkit.demo")
def test_a_rows_dates_are_one_moment_each_later_field_an_hour_on() -> None:
    class Shift(models.Model):
        starts = models.DateTimeField()
        ends = models.DateTimeField()
        day = models.DateField()
        created = models.DateTimeField(auto_now_add=True)
        changed = models.DateTimeField(auto_now=True)

        class Meta:
            app_label = "demo"

    rows = [values.varied(Shift, i) for i in range(20)]
    assert all(set(row) == {"starts", "ends", "day"} for row in rows)
    assert all((row["ends"] - row["starts"]).total_seconds() == 3600 for row in rows)
    assert all(
        isinstance(row["day"], date) and not isinstance(row["day"], datetime) for row in rows
    )
    days = sorted((row["starts"] - rows[0]["starts"]).days for row in rows)
    assert len(set(days)) == 20 and days[0] < -100 and days[-1] > 100


@isolate_apps("perfkit.demo")
def test_every_other_row_leaves_a_nullable_column_null_and_a_blank_one_empty() -> None:
    class Post(models.Model):
        title = models.CharField(max_length=50, blank=True)
        deleted_at = models.DateTimeField(null=True, blank=True)
        state = models.CharField(max_length=9, choices=STATUSES, null=True)
        cover = models.ImageField(null=True, blank=True)

        class Meta:
            app_label = "demo"

    rows = [values.varied(Post, i) for i in range(8)]
    assert [row.get("title") for row in rows[:4]] == [None, "", "", None]  # None: model_bakery's
    assert [row["deleted_at"] is None for row in rows] == [True, True] + [False] * 4 + [True] * 2
    assert None in {row["state"] for row in rows}
    assert {row["deleted_at"] is None for row in rows[0:8:2]} == {True, False}
    assert all("cover" not in row for row in rows)


@isolate_apps("perfkit.demo")
def test_integer_columns_hold_small_numbers_within_their_validators() -> None:
    """A drawn depth of two billion made Wagtail's collection list ask for 24 GB."""

    class Collection(models.Model):
        depth = models.PositiveIntegerField()
        offset = models.IntegerField(validators=[MinValueValidator(-5), MaxValueValidator(3)])
        floor = models.SmallIntegerField(validators=[MinValueValidator(100)])
        position = models.IntegerField(default=7)
        slot = models.BigIntegerField(unique=True)

        class Meta:
            app_label = "demo"

    made = [values.varied(Collection, i) for i in range(30)]
    assert {row["depth"] for row in made} == set(range(1, 11))
    assert {row["offset"] for row in made} == {1, 2, 3}
    assert {row["floor"] for row in made} == {100}
    # a default and a unique column are left to the model and to model_bakery
    assert not any("position" in row or "slot" in row for row in made)
