"""Query-string parameters a view reads: search boxes in the project's code, DRF's search."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.views.generic import ListView
from rest_framework import filters, viewsets

from perfkit.bench import query_params
from perfkit.demo.models import Story


def search(request):
    words = request.GET.get("q", "")
    page = request.GET.get("page")  # not a search box: left alone
    return words, page


@login_required
def wrapped_search(request):
    return request.GET["query"]


class StoryList(ListView):
    model = Story

    def get_queryset(self):
        return Story.objects.filter(title__icontains=self.request.GET.get("search", ""))


class StoryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Story.objects.all()
    filter_backends = [filters.SearchFilter, filters.OrderingFilter]
    search_fields = ["title"]


class UnsearchableViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Story.objects.all()
    filter_backends = [filters.SearchFilter]


def test_a_function_view_reading_a_search_box_gets_one_and_nothing_else() -> None:
    assert query_params.read_by(search) == {"q": query_params.SEARCH_VALUE}


def test_decorators_and_class_based_views_are_read_through() -> None:
    assert query_params.read_by(wrapped_search) == {"query": "a"}
    assert query_params.read_by(StoryList.as_view()) == {"search": "a"}


def test_a_drf_search_filter_with_fields_gets_its_parameter() -> None:
    assert query_params.read_by(StoryViewSet.as_view({"get": "list"})) == {"search": "a"}
    assert query_params.read_by(UnsearchableViewSet.as_view({"get": "list"})) == {}


def test_library_code_is_never_read() -> None:
    # Django's admin changelist reads request.GET for its own search box ("q").
    from django.contrib.admin.views.main import ChangeList

    assert query_params.read_by(ChangeList) == {}
