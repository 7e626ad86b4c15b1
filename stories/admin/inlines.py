"""The parts of a story's change page (recording, transcript, links, history); its list filter."""

from django import forms
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..models import ModerationEvent, Recording, StoryLink, TranscriptSegment
from ..safety import privacy
from .forms import RecordingAdminForm


class ModerationEventInline(admin.TabularInline):
    model = ModerationEvent
    fields = (
        "created_at", "actor", "from_status", "to_status", "reason", "note_shown",
        "note_to_narrator", "narrator_message",
    )  # fmt: skip
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("Moderation history")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("note"))
    def note_shown(self, event):
        return event.shown_note


class RecordingInline(admin.StackedInline):
    model = Recording
    form = RecordingAdminForm
    fields = ("player", "audio", "cleared", "mime_type", "length", "size", "cleared_by")
    # The player and length are shown, not stored; of the stored fields, the privacy
    # table says which moderators may not edit (the file changes through "audio" alone).
    readonly_fields = ("player", "length", *privacy.read_only(Recording, fields))
    max_num = 1
    extra = 1
    verbose_name_plural = _("Recording")
    # Its public road answers only once cleared: moderators listen through the player here.
    view_on_site = False

    @admin.display(description=_("listen"))
    def player(self, recording):
        if recording.pk is None:
            return "—"
        url = reverse("admin:stories_story_recording", args=[recording.story_id])
        return format_html('<audio controls preload="none" src="{}"></audio>', url)

    @admin.display(description=_("length"))
    def length(self, recording):
        return recording.length if recording.pk else "—"


class TranscriptInline(admin.TabularInline):
    model = TranscriptSegment
    fields = ("start", "text")
    readonly_fields = privacy.read_only(TranscriptSegment, fields)
    extra = 1
    # A table's column heads are not labels: each field says what it is to a screen reader.
    formfield_overrides = {
        models.DurationField: {
            "widget": forms.TextInput(attrs={"aria-label": _("starts at"), "size": 10})
        },
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "aria-label": _("text")})},
    }
    verbose_name = _("transcript paragraph")
    verbose_name_plural = _("Transcript")


class RecordingListFilter(admin.SimpleListFilter):
    title = _("recording")
    parameter_name = "recording"

    def lookups(self, request, model_admin):
        return [
            ("waiting", _("Waiting to be listened to")),
            ("cleared", _("Listened to and cleared")),
            ("none", _("No recording")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(recording__isnull=False, recording__cleared_at=None)
        if self.value() == "cleared":
            return queryset.filter(recording__cleared_at__isnull=False)
        if self.value() == "none":
            return queryset.filter(recording__isnull=True)
        return queryset


class StoryLinkInline(admin.TabularInline):
    model = StoryLink
    fk_name = "from_story"
    fields = ("relation", "to_story")
    autocomplete_fields = ("to_story",)
    extra = 0
    verbose_name = _("story in conversation with this one")
    verbose_name_plural = _("Stories in conversation with this one")
