"""A DRF router's viewsets, as real projects write them: list, detail and a GET action; one
that eager-loads a relation its serializer never reads."""

from catalog.models import Author, Book
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.serializers import AuthorSerializer, BookSerializer


class BookViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Book.objects.order_by("id")  # N+1: neither the author nor the tags are joined
    serializer_class = BookSerializer

    @action(detail=True, methods=["get"])
    def similar(self, request, pk=None):
        book = self.get_object()
        others = Book.objects.filter(author=book.author).exclude(pk=book.pk).order_by("id")
        return Response(BookSerializer(others, many=True).data)


class CatalogueViewSet(viewsets.ReadOnlyModelViewSet):
    # The serializer reads each book's author and tags, never its comments.
    queryset = Book.objects.select_related("author").prefetch_related("tags", "comments")
    serializer_class = BookSerializer


class AuthorViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Author.objects.order_by("id")
    serializer_class = AuthorSerializer
