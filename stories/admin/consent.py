"""The consent texts narrators agree to, added as new versions and never edited."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from ..models import ConsentText


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    """Versions are added, never edited: each story keeps the words its narrator agreed to."""

    list_display = ("version", "created_at", "story_count")
    fields = ("version", "text_en", "text_es", "summary_en", "summary_es", "created_at")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(story_count=Count("stories"))

    @admin.display(description=_("stories"), ordering="story_count")
    def story_count(self, consent):
        return consent.story_count

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
