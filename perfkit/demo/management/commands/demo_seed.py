"""``demo_seed N [--seed S]``: replace the demo's content with N generated stories."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from perfkit.demo.data import populate
from perfkit.demo.models import Author, Story, Tag


class Command(BaseCommand):
    help = "Delete the demo's stories, authors and tags and generate N new stories."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("n", type=int, help="how many stories to create (0 or more)")
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")

    def handle(self, *args: Any, n: int, seed: int, **options: Any) -> None:
        if n < 0:
            raise CommandError(f"N must be 0 or more, not {n}")
        populate(n, seed=seed)
        self.stdout.write(
            f"Created {Story.objects.count()} stories by {Author.objects.count()} authors "
            f"with {Tag.objects.count()} tags (seed {seed})."
        )
