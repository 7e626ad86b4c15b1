"""The archive's licences: administrators configure the short list; moderators read it.

The Moderators group may only view them (stories/moderators.py): what readers may
do with a story is the archive's promise to its narrators, kept by the people
answerable for it. A licence some story is held under keeps its terms (its
address, rank and whether it allows republishing): changing them would change
what that narrator granted. It may stop being offered instead (docs/reuse.md).
"""

from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from ..models import Licence

# What a licence grants: fixed once a story is held under it.
TERMS = ("url", "restriction", "allows_republishing")


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):
    list_display = (
        "short_name",
        "name",
        "restriction",
        "allows_republishing",
        "offered",
        "is_default",
        "story_count",
    )
    list_filter = ("offered", "allows_republishing")
    ordering = ("restriction", "pk")
    # A licence's address typed without its scheme is read as https (as Django 6 will).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("code", "url", "restriction", "allows_republishing")}),
        (_("On the share form"), {"fields": ("offered", "is_default")}),
        (
            _("As readers and narrators read it"),
            {"fields": ("name", "name_es", "short_name", "short_name_es", "summary", "summary_es")},
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(story_count=Count("stories"))

    @admin.display(description=_("stories"), ordering="story_count")
    def story_count(self, licence):
        return licence.story_count

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # The code names it in the sample archive and in exports: it never changes.
        return ("code", *TERMS) if obj.stories.exists() else ("code",)

    def has_delete_permission(self, request, obj=None):
        # Stories hold their licence (PROTECT): one in use is retired by no longer offering it.
        if obj is not None and obj.stories.exists():
            return False
        return super().has_delete_permission(request, obj)
