"""A page that prefetches rows it never shows: for the toolbar panel's eager-load tests."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from perfkit.demo.models import Story


def unread_tags(request: HttpRequest) -> HttpResponse:
    stories = Story.objects.prefetch_related("tags").order_by("id")  # never shows a tag
    return HttpResponse("<html><body>" + ", ".join(s.title for s in stories) + "</body></html>")
