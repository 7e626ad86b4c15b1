"""The moderation history of every story, read-only: it is the audit trail; and what every
record kept for audit shares (``RecordOnlyAdmin``)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import ModerationEvent


class RecordOnlyAdmin(admin.ModelAdmin):
    """A record of what happened: read in the admin, never added, changed or deleted there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ModerationEvent)
class ModerationEventAdmin(RecordOnlyAdmin):
    list_display = ("created_at", "story", "actor", "from_status", "to_status", "note_shown")
    list_filter = ("to_status", "from_status")
    list_select_related = ("story", "actor")
    search_fields = ("story__title", "note")
    date_hierarchy = "created_at"
    fields = (
        "created_at", "story", "actor", "from_status", "to_status", "reason", "note_shown",
        "note_to_narrator", "narrator_message",
    )  # fmt: skip
    readonly_fields = ("note_shown",)

    @admin.display(description=_("note"))
    def note_shown(self, event):
        return event.shown_note
