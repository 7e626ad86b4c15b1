"""The timeline's events, curated by moderators in both languages."""

from django.contrib import admin
from django.db import models

from ..models import TimelineEvent


@admin.register(TimelineEvent)
class TimelineEventAdmin(admin.ModelAdmin):
    list_display = ("year", "title", "title_es")
    list_display_links = ("year", "title")
    search_fields = ("title", "title_es", "description", "description_es")
    fields = ("year", "title", "title_es", "description", "description_es", "link")
    ordering = ("year", "pk")
    # A link typed without its scheme is read as https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
