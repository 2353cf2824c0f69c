"""The books API's serializers: a nested author and tags read per book."""

from catalog.models import Author, Book
from rest_framework import serializers


class AuthorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Author
        fields = ["id", "name"]


class BookSerializer(serializers.ModelSerializer):
    author = AuthorSerializer(read_only=True)
    tags = serializers.SerializerMethodField()

    class Meta:
        model = Book
        fields = ["id", "title", "status", "author", "tags"]

    def get_tags(self, book):
        return [tag.name for tag in book.tags.all()]  # a query per book
