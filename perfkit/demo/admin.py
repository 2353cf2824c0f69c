"""Admin pages for the demo's models."""

from __future__ import annotations

from django.contrib import admin

from perfkit.demo.models import Author, Story, Tag


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "published_at", "word_count"]
    list_select_related = ["author"]
    prepopulated_fields = {"slug": ["title"]}
