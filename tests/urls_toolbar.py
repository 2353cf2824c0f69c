"""The demo's URLs plus the toolbar's, and static files under DEBUG: for the toolbar tests."""

from django.contrib.staticfiles.urls import staticfiles_urlpatterns
from django.urls import include, path

from perfkit.demo.urls import urlpatterns as demo_urlpatterns
from tests.eager_pages import unread_tags
from tests.outbound_api import per_row_page
from tests.toolbar_pages import authors_by_name

urlpatterns = [
    path("__debug__/", include("debug_toolbar.urls")),
    path("outbound/per-row-page/", per_row_page),
    path("authors-by-name/", authors_by_name),
    path("eager/unread-tags/", unread_tags),
    *demo_urlpatterns,
    *staticfiles_urlpatterns(),
]
