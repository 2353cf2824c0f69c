"""Books, their authors, tags, comments, clubs, shelves and loans."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from taggit.managers import TaggableManager

from catalog.fields import MarkdownField


class Author(models.Model):
    name = models.CharField(max_length=100)
    uuid = models.UUIDField(default=uuid.uuid4, editable=False)

    def __str__(self):
        return self.name

    def __eq__(self, other):  # as ephios' Qualification: it assumes the other side is one too
        return self.uuid == other.uuid

    __hash__ = models.Model.__hash__


class Comment(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    text = models.TextField()


class Book(models.Model):
    AVAILABLE, ON_LOAN = "available", "on_loan"
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    cover = models.ImageField(upload_to="covers/")
    blurb = MarkdownField()
    meta = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=[(AVAILABLE, "available"), (ON_LOAN, "on loan")], default=AVAILABLE
    )
    tags = TaggableManager(blank=True)
    comments = GenericRelation(Comment)

    def get_absolute_url(self):
        return f"/books/{self.pk}/"


class EBook(Book):
    """Multi-table inheritance: a book with a file size."""

    megabytes = models.PositiveIntegerField(default=1)


class AvailableBook(Book):
    class Meta:
        proxy = True


class LegacyStat(models.Model):
    """A table another system owns: bench must not try to fill it."""

    hits = models.IntegerField()

    class Meta:
        managed = False
        db_table = "legacy_stat"


class Club(models.Model):
    name = models.CharField(max_length=80)
    patrons = models.ManyToManyField(Author, blank=True, related_name="clubs")


class Membership(models.Model):
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        unique_together = [("member", "club")]


class Shelf(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shelves"
    )
    name = models.CharField(max_length=50)
    is_default = models.BooleanField(default=False)
    books = models.ManyToManyField(Book, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="one_name_per_owner"),
            models.UniqueConstraint(
                fields=["owner"], condition=models.Q(is_default=True), name="one_default_shelf"
            ),
        ]


class Loan(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="loans")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="loans"
    )
    days = models.PositiveSmallIntegerField()

    def save(self, *args, **kwargs):
        if self.days % 2:
            raise ValueError("loans run for an even number of days")
        super().save(*args, **kwargs)


class Review(models.Model):
    """A reader's review. Its pages filter on the reader and list a book's newest first:
    no index serves either (the book's foreign key index alone leaves the sort)."""

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    reader = models.CharField(max_length=80)
    stars = models.PositiveSmallIntegerField(default=3)
    created = models.DateTimeField(auto_now_add=True)


class Rating(models.Model):
    """Review's twin, with the indexes its pages need."""

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="ratings")
    reader = models.CharField(max_length=80)
    stars = models.PositiveSmallIntegerField(default=3)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["book", "-created"], name="rating_book_newest"),
            models.Index(fields=["reader"], name="rating_reader"),
        ]
