"""
The story admin. Status changes only through its actions, which call the
model's workflow methods; the status field itself is read-only, so no road
around the audit trail exists in the admin.
"""

import dataclasses

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import linebreaks_filter
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from ..models import Recording, Story, StoryLink, TranscriptSegment, recordings_storage
from ..models.shielding import moderator_label
from ..recordings import ranges
from ..safety import privacy, shield
from .actions import asked_before_acting, workflow_action
from .desk import ModerationDeskMixin
from .editors import EditorsMixin
from .forms import RejectForm, StoryAdminForm
from .inlines import (
    ModerationEventInline,
    RecordingInline,
    RecordingListFilter,
    StoryLinkInline,
    TranscriptInline,
)
from .language import TIMES_NOTE, LocalNameListFilter, local_name
from .widgets import NamedSplitDateTime
from .workspace import ReviewWorkspaceMixin

# What moderators see wherever a story's recording is: its narrator kept the voice private.
VOICE_PRIVATE_BADGE = _("Voice private: transcript only")


@dataclasses.dataclass
class FindingForModerator:
    finding: shield.Finding
    kind: str
    field: str
    excerpt: str  # safe HTML: the finding marked in the text around it


def findings_in_context(story, findings):
    """Each finding with its field's name and a marked excerpt, for a moderator to judge."""
    texts = story.shielded_texts()
    return [
        FindingForModerator(
            finding=finding,
            kind=moderator_label(finding),
            field=texts[finding.field].label,
            excerpt=shield.excerpt(texts[finding.field].text, finding, width=80),
        )
        for finding in findings
    ]


@admin.register(Story)
class StoryAdmin(ModerationDeskMixin, EditorsMixin, ReviewWorkspaceMixin, admin.ModelAdmin):
    form = StoryAdminForm
    list_display = (
        "title",
        "perspective_name",
        "theme_names",
        "status",
        "review_state",
        "language",
        "featured",
        "has_recording",
        "unresolved_findings",
        "submitted_at",
        "published_at",
    )
    list_filter = (
        "status",
        ("perspective", LocalNameListFilter),
        ("themes", LocalNameListFilter),
        "language",
        RecordingListFilter,
        "featured",
        "is_sample",
    )
    search_fields = ("title", "body", "narrator_name")
    date_hierarchy = "submitted_at"
    list_select_related = ("perspective", "recording", "review_claim__moderator")
    list_per_page = 50
    # "4 results (49 total)" costs a second count of every story on each filtered page.
    show_full_result_count = False
    actions = (
        workflow_action(
            "approve",
            _("Approve and publish selected stories"),
            ngettext_lazy("%(count)d story approved.", "%(count)d stories approved.", "count"),
        ),
        "reject",
        workflow_action(
            "return_to_review",
            _("Return selected stories to review"),
            ngettext_lazy(
                "%(count)d story returned to review.",
                "%(count)d stories returned to review.",
                "count",
            ),
        ),
        "feature",
        "unfeature",
        "redact_every_finding",
    )
    inlines = (RecordingInline, TranscriptInline, StoryLinkInline, ModerationEventInline)
    formfield_overrides = {models.DateTimeField: {"widget": NamedSplitDateTime}}
    fieldsets = (
        (_("Identity shield"), {"fields": ("identity_shield", "sent_anyway")}),
        (
            None,
            {
                "fields": (
                    "title",
                    "summary",
                    "summary_translation",
                    "quote",
                    "body",
                    "content_note",
                    "version_seen",
                )
            },
        ),
        (
            _("Narrator"),
            {
                "fields": (
                    "narrator_name",
                    "is_anonymous",
                    "narrator_descriptor",
                    "place",
                    "year_happened",
                    "language",
                )
            },
        ),
        (_("Classification"), {"fields": ("perspective", "themes", "suggested_theme")}),
        (
            _("Transcript of the recording"),
            {"fields": ("voice_choice", "transcript_webvtt", "transcript_file")},
        ),
        (
            _("Publication"),
            {
                "description": TIMES_NOTE,
                "fields": (
                    "status",
                    "slug",
                    "embargo_until",
                    "published_at",
                    "featured",
                    "is_sample",
                    "submitted_at",
                    "withdrawn_at",
                    "decision_notice_due",
                    "erased_at",
                ),
            },
        ),
        (
            _("Reuse"),
            {
                "description": _(
                    "The licence is the narrator's choice, made with their consent: only they "
                    "can change it, from their private page, and only to a more restrictive one."
                ),
                "fields": ("licence", "persistent_identifier"),
            },
        ),
        (
            _("Private: moderators only"),
            {
                "fields": (
                    "moderator_notes",
                    "contact_email",
                    "may_contact",
                    "notify_decision",
                    "consent_text",
                    "consent_language",
                    "consent_given_at",
                    "submitter_hash",
                )
            },
        ),
    )

    # The shield's report, the consent text, and every story field shown above that
    # the privacy table says moderators may not edit (the workflow's, the narrator's private ones).
    readonly_fields = (
        "identity_shield",
        "sent_anyway",
        "consent_text",
        "voice_choice",
        *privacy.read_only(Story, flatten_fieldsets(fieldsets)),
    )

    def get_queryset(self, request):
        # The search vectors are PostgreSQL's index data: large, never shown, kept by reindex().
        return (
            super()
            .get_queryset(request)
            .with_themes()
            .with_review_signs()
            .with_shield_review()
            .defer(*Story.SEARCH_VECTORS)
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is Recording:
            self.save_recording(request, formset)
            return
        for item in formset.save(commit=False):
            if isinstance(item, StoryLink) and item.created_by_id is None:
                item.created_by = request.user
            item.save()
        for item in formset.deleted_objects:
            item.delete()

    def save_recording(self, request, formset):
        """The recording's form stores, replaces, clears or deletes it through the model."""
        # What the admin's change message reads (formset.save() would have set them).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for recording_form in formset.forms:
            if not recording_form.has_changed():
                continue
            if formset._should_delete_form(recording_form):
                if recording_form.instance.pk:
                    recording_form.instance.delete()
                continue
            recording_form.save_recording(formset.instance, by=request.user)

    @admin.action(permissions=["change"], description=_("Reject selected stories"))
    def reject(self, request, queryset):
        """Asks for the reason first (RejectForm), then rejects through the workflow."""
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            return workflow_action(
                "reject",
                _("Reject selected stories"),
                ngettext_lazy("%(count)d story rejected.", "%(count)d stories rejected.", "count"),
                **form.cleaned_data,
            )(self, request, queryset)
        return asked_before_acting(
            self,
            request,
            action="reject",
            title=_("Reject stories"),
            form=form,
            objects=queryset,
            intro=_("These stories will be rejected:"),
            submit_label=_("Reject"),
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        cues = form.cleaned_data.get("transcript_cues")
        if cues:
            # After the paragraphs' own forms: a pasted transcript replaces them all.
            TranscriptSegment.replace_transcript(form.instance, cues)

    def get_ordering(self, request):
        # The pending queue is worked oldest first; everything else newest first.
        if request.GET.get("status__exact") == Story.Status.PENDING:
            return ("submitted_at",)
        return ("-submitted_at",)

    def get_urls(self):
        return [
            path(
                "<int:story_id>/redact/",
                self.admin_site.admin_view(self.redact_view),
                name="stories_story_redact",
            ),
            path(
                "<int:story_id>/recording/",
                self.admin_site.admin_view(self.recording_view),
                name="stories_story_recording",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("findings"))
    def identity_shield(self, story):
        """The shield's findings, each in its context, and the way to redact them."""
        if story.pk is None:
            return "—"
        findings = story.shield_findings()
        if not findings:
            return _("Nothing found that could identify someone. Read the story all the same.")
        return render_to_string(
            "admin/stories/story/identity_shield.html",
            {
                "findings": findings_in_context(story, findings),
                "redact_url": reverse("admin:stories_story_redact", args=[story.pk]),
            },
        )

    @admin.display(description=_("high-risk findings"))
    def unresolved_findings(self, story):
        """How many high-risk findings still hold the story back (neither redacted nor waived)."""
        return len(story.unresolved_findings())

    @admin.display(description=_("sent by the narrator"))
    def sent_anyway(self, story):
        """Whether the narrator sent the story with findings left in it, and of what kinds."""
        if story.sent_with_findings is None:
            return "—"  # sent before this was recorded, or not through the share form
        return shield.sent_anyway(story.sent_with_findings) or _("With no findings left in it")

    def redact_view(self, request, story_id):
        story = get_object_or_404(Story, pk=story_id)
        if not self.has_change_permission(request, story):
            raise PermissionDenied
        change_url = reverse("admin:stories_story_change", args=[story.pk])
        findings = story.shield_findings()
        if request.method == "POST":
            redacted = story.redact(request.POST.getlist("finding"), by=request.user)
            if redacted:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d detail redacted; the story's history records its kind.",
                        "%(count)d details redacted; the story's history records their kinds.",
                        len(redacted),
                    )
                    % {"count": len(redacted)},
                    messages.SUCCESS,
                )
            else:
                self.message_user(request, _("Nothing was selected to redact."), messages.WARNING)
            return redirect(change_url)
        return TemplateResponse(
            request,
            "admin/stories/story/redact.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Redact details that could identify someone"),
                "story": story,
                "findings": findings_in_context(story, findings),
                "change_url": change_url,
                "opts": self.model._meta,
                "original": story,
            },
        )

    def recording_view(self, request, story_id):
        """The recording, whatever its story's status or clearance: moderators listen first."""
        recording = get_object_or_404(Recording, story=story_id)
        if not self.has_view_permission(request, recording.story):
            raise PermissionDenied
        return ranges.file_response(
            request,
            recordings_storage(),
            recording.stored_as,
            content_type=recording.mime_type,
            download_name=f"story-{story_id}.{recording.extension}",
        )

    @admin.display(description=_("recording"))
    def has_recording(self, story):
        try:
            recording = story.recording
        except Recording.DoesNotExist:
            return "—"
        state = _("cleared") if recording.is_cleared else _("waiting to be listened to")
        if story.keeps_voice_private:
            return format_html("{} · <strong>{}</strong>", state, VOICE_PRIVATE_BADGE)
        return state

    @admin.display(description=_("review"))
    def review_state(self, story):
        """A pending story's wait against the promise to narrators, and who is reviewing it."""
        if story.status != Story.Status.PENDING:
            return "—"
        return render_to_string(
            "admin/stories/story/_review_state.html", {"story": story, "now": timezone.now()}
        )

    @admin.display(description=_("the narrator's voice"))
    def voice_choice(self, story):
        """What the narrator chose for a recording; a private voice as a badge moderators see."""
        if story.keeps_voice_private:
            return format_html(
                '<strong class="voice-private">{}</strong><br>{}',
                VOICE_PRIVATE_BADGE,
                _(
                    "The narrator chose that readers never hear this recording, even cleared. "
                    "Listen to it and write its transcript: readers get only the transcript."
                ),
            )
        if story.voice:
            return story.get_voice_display()
        return _(
            "No choice asked (sent without a recording, or before the choice existed): "
            "readers hear a cleared recording."
        )

    @admin.action(permissions=["change"], description=_("Redact every identity-shield finding"))
    def redact_every_finding(self, request, queryset):
        count = 0
        for story in queryset:
            keys = [finding.key for finding in story.shield_findings()]
            count += len(story.redact(keys, by=request.user))
        self.message_user(
            request,
            ngettext("%(count)d detail redacted.", "%(count)d details redacted.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.display(description=_("consent text agreed to"))
    def consent_text(self, story):
        if story.consent is None:
            return _("None recorded")
        language = story.consent_language or "en"
        return format_html(
            "<p><strong>{}</strong></p>{}",
            story.consent.version,
            # The filter, not django.utils.html.linebreaks: it escapes the text and marks
            # its own paragraphs safe, where the plain function's <p> would be escaped here.
            linebreaks_filter(story.consent.text_in(language), autoescape=True),
        )

    @admin.display(description=_("perspective"), ordering="perspective__name")
    def perspective_name(self, story):
        return local_name(story.perspective)

    @admin.display(description=_("themes"))
    def theme_names(self, story):
        return ", ".join(local_name(theme) for theme in story.theme_list)

    def view_on_site(self, story):
        return story.get_absolute_url() if story.is_visible else None

    @admin.action(permissions=["change"], description=_("Feature selected stories"))
    def feature(self, request, queryset):
        self._set_featured(request, queryset, True)

    @admin.action(permissions=["change"], description=_("Stop featuring selected stories"))
    def unfeature(self, request, queryset):
        self._set_featured(request, queryset, False)

    def _set_featured(self, request, queryset, featured):
        changed = sum(story.set_featured(featured, by=request.user) for story in queryset)
        self.message_user(
            request,
            ngettext("%(count)d story updated.", "%(count)d stories updated.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )
