"""The demo's news-budget models: authors, tags and stories."""

from __future__ import annotations

from django.db import models
from django.urls import reverse


def count_words(text: str) -> int:
    """The number of whitespace-separated words in ``text``."""
    return len(text.split())


class Author(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    bio = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Story(models.Model):
    title = models.CharField(max_length=190)
    slug = models.SlugField(max_length=190, unique=True)
    body = models.TextField()
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="stories")
    tags = models.ManyToManyField(Tag, related_name="stories")
    published_at = models.DateTimeField()
    word_count = models.PositiveIntegerField()

    class Meta:
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("demo:story_detail", args=[self.pk])
