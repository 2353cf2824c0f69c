"""A project's own field class, as editors and markdown packages ship them."""

from django.db import models


class MarkdownField(models.TextField):
    """Text written in Markdown: a TextField to the database, a subclass to model_bakery."""
