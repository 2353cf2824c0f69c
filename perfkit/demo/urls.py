"""URL routes for the demo site; also the demo's ROOT_URLCONF, with the admin at ``admin/``."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from perfkit.demo import views

app_name = "demo"

demo_patterns = [
    path("", views.front, name="front"),
    path("cached/", views.front_cached, name="front_cached"),
    path("stories/", views.story_list, name="story_list"),
    path("stories/slow/", views.story_list_slow, name="story_list_slow"),
    path("stories/<int:pk>/", views.story_detail, name="story_detail"),
    path("stories/add/", views.story_add, name="story_add"),
    path("api/stories/", views.api_stories, name="api_stories"),
    path("api/stories/async/", views.api_stories_async, name="api_stories_async"),
    path("tags/", views.tag_cloud, name="tag_cloud"),
    path("ping/", views.ping, name="ping"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include((demo_patterns, app_name))),
]
