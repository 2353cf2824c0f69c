"""A page for the toolbar tests: an N+1 on a column no index serves."""

from django.http import HttpRequest, HttpResponse

from perfkit.demo.models import Author

#: The names the page looks up: values the panel must never show.
SECRET_NAMES = [f"zebra-secret-{i}" for i in range(6)]


def authors_by_name(request: HttpRequest) -> HttpResponse:
    """Each name counted by reading every author."""
    counts = [Author.objects.filter(name=name).count() for name in SECRET_NAMES]
    return HttpResponse(f"<html><body>{sum(counts)} authors</body></html>")
