"""The demo's URLs plus the toolbar's, and static files under DEBUG: for the toolbar tests."""

from django.contrib.staticfiles.urls import staticfiles_urlpatterns
from django.urls import include, path

from perfkit.demo.urls import urlpatterns as demo_urlpatterns
from tests.eager_pages import unread_tags
from tests.outbound_api import per_row_page

urlpatterns = [
    path("__debug__/", include("debug_toolbar.urls")),
    path("outbound/per-row-page/", per_row_page),
    path("eager/unread-tags/", unread_tags),
    *demo_urlpatterns,
    *staticfiles_urlpatterns(),
]
