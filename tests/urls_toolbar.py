"""The demo's URLs plus the toolbar's, and static files under DEBUG: for the toolbar tests."""

from django.contrib.staticfiles.urls import staticfiles_urlpatterns
from django.urls import include, path

from perfkit.demo.urls import urlpatterns as demo_urlpatterns

urlpatterns = [
    path("__debug__/", include("debug_toolbar.urls")),
    *demo_urlpatterns,
    *staticfiles_urlpatterns(),
]
