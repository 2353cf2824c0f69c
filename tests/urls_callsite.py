"""Views whose queries test which line gets the blame: the project's, not a package's."""

import sys
from pathlib import Path

from django.contrib.contenttypes.views import shortcut
from django.http import JsonResponse
from django.urls import path

sys.path.insert(0, str(Path(__file__).parent / "capture" / "site-packages"))

from wrapperlib.helpers import library_view, names, template_view

from perfkit.demo.models import Author, Story
from perfkit.demo.urls import urlpatterns as demo_urlpatterns


class ProjectWrappingMiddleware:
    """A project's own middleware that wraps every request (DjangoBlog's timing one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)


def first_lookup_elsewhere(request):
    first = Author.objects.order_by("id").values_list("pk", flat=True)[0]
    featured = Author.objects.get(pk=first)  # the same statement as the per-row lookup below
    rows = []
    for story in Story.objects.order_by("id"):
        rows.append(story.author.name)  # per row
    return JsonResponse({"featured": featured.name, "rows": rows})


def through_a_package(request):
    return JsonResponse({"names": names(Story.objects.order_by("id"))})  # per row, via lib


urlpatterns = [
    path("first-elsewhere/", first_lookup_elsewhere),
    path("through-package/", through_a_package),
    path("package-view/", library_view),
    path("package-template/", template_view),
    path("r/<int:content_type_id>/<path:object_id>/", shortcut),
    *demo_urlpatterns,
]
