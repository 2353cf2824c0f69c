"""The form for filing a new story."""

from __future__ import annotations

from django import forms

from perfkit.demo.models import Story


class StoryForm(forms.ModelForm):
    class Meta:
        model = Story
        fields = ["title", "slug", "body", "author", "tags"]
