"""The books API's serializers: a nested author and tags read per book."""

from catalog.models import Author, Book
from rest_framework import serializers


class AuthorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Author
        fields = ["id", "name"]


class AuthoredSerializer(serializers.ModelSerializer):
    """A base many serializers share, as Baby Buddy's TaggableSerializer is."""

    author = AuthorSerializer(read_only=True)


class BookSerializer(AuthoredSerializer):
    tags = serializers.SerializerMethodField()

    class Meta:
        model = Book
        fields = ["id", "title", "status", "author", "tags"]

    def get_tags(self, book):
        return [tag.name for tag in book.tags.all()]  # a query per book
