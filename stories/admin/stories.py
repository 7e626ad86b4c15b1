"""
Moderation. Status changes only through the actions here, which call the
model's workflow methods; the status field itself is read-only, so no road
around the audit trail exists in the admin.
"""

import dataclasses

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import linebreaks_filter
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from ..models import (
    ConsentText,
    InvalidTransition,
    ModerationEvent,
    Perspective,
    Recording,
    Report,
    Story,
    StoryLink,
    Theme,
    ThemeSuggestion,
    TranscriptSegment,
    recordings_storage,
)
from ..pages.forms import RecordingField, stored_recording
from ..recordings import ranges, transcripts
from ..safety import privacy, shield
from .desk import ModerationDeskMixin, RejectForm


class ModerationEventInline(admin.TabularInline):
    model = ModerationEvent
    fields = ("created_at", "actor", "from_status", "to_status", "reason", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("Moderation history")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def workflow_action(method, description, done, **arguments):
    """An admin action that calls the workflow method ``method`` on each selected story.

    Stories whose status does not allow the change are skipped and counted,
    never forced: the model's transition table decides. ``arguments`` go to
    the method (a rejection's reason and note).
    """

    def action(modeladmin, request, queryset):
        changed = skipped = 0
        for story in queryset:
            try:
                getattr(story, method)(by=request.user, **arguments)
            except InvalidTransition:
                skipped += 1
            else:
                changed += 1
        if changed:
            modeladmin.message_user(request, done % {"count": changed}, messages.SUCCESS)
        if skipped:
            modeladmin.message_user(
                request,
                ngettext(
                    "%(count)d story was skipped: its status does not allow that.",
                    "%(count)d stories were skipped: their status does not allow that.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    action.__name__ = method
    return admin.action(permissions=["change"], description=description)(action)


def asked_before_acting(
    modeladmin, request, *, action, title, form, objects, submit_label, intro="", outro=""
):
    """The page an admin action shows to ask for what it needs (stories/action_form.html)."""
    return TemplateResponse(
        request,
        "admin/stories/action_form.html",
        {
            **modeladmin.admin_site.each_context(request),
            "opts": modeladmin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "action": action,
            "title": title,
            "form": form,
            "objects": objects,
            "submit_label": submit_label,
            "intro": intro,
            "outro": outro,
        },
    )  # fmt: skip


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
            kind=_("The narrator's own name") if finding.kind == "name" else finding.label,
            field=texts[finding.field].label,
            excerpt=shield.excerpt(texts[finding.field].text, finding, width=80),
        )
        for finding in findings
    ]


class StoryAdminForm(forms.ModelForm):
    # Themes are curated: moderators choose among existing ones here and
    # create new ones under Themes, so a typo never becomes a public theme.
    themes = forms.ModelMultipleChoiceField(
        label=_("themes"),
        queryset=Theme.objects.all(),
        required=False,
        widget=FilteredSelectMultiple(_("themes"), is_stacked=False),
    )

    # The version this form showed (Story.version): a save over a newer one is refused.
    version_seen = forms.IntegerField(widget=forms.HiddenInput, required=False)

    transcript_webvtt = forms.CharField(
        label=_("Replace the transcript with WebVTT"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Paste a WebVTT file (it starts with the line “WEBVTT”) to replace every "
            "paragraph of the transcript below; speaker names in it are left out."
        ),
    )
    transcript_file = forms.FileField(
        label=_("…or upload a WebVTT file"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".vtt,text/vtt"}),
    )

    class Meta:
        model = Story
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["version_seen"] = self.instance.version

    def clean_transcript_file(self):
        uploaded = self.cleaned_data.get("transcript_file")
        if not uploaded:
            return ""
        if uploaded.size > transcripts.MAX_CHARACTERS * 4:  # UTF-8 takes at most 4 bytes each
            raise forms.ValidationError(
                transcripts.TOO_LONG,
                code="too_long",
                params={"cues": transcripts.MAX_CUES, "characters": transcripts.MAX_CHARACTERS},
            )
        try:
            return uploaded.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("A WebVTT file is UTF-8 text; this file is not."), code="not_utf8"
            ) from None

    def transcript_cues(self):
        """The cues of a pasted or uploaded WebVTT transcript, or None if neither was given."""
        for name in ("transcript_webvtt", "transcript_file"):
            text = self.cleaned_data.get(name)
            if text and text.strip():
                try:
                    return transcripts.parse_webvtt(text)
                except forms.ValidationError as error:
                    self.add_error(name, error)
                    return None
        return None

    def clean(self):
        cleaned = super().clean()
        cleaned["transcript_cues"] = self.transcript_cues()
        if self.instance.pk:
            # Locked until the admin's transaction ends: of two saves at once,
            # the second waits, then finds the first one's version.
            current = Story.objects.select_for_update().get(pk=self.instance.pk).version
            if cleaned.get("version_seen") != current:
                raise forms.ValidationError(
                    _(
                        "Another moderator changed this story after you opened it, so your "
                        "changes were not saved. Open the story again to see theirs, then "
                        "make yours."
                    ),
                    code="stale",
                )
        return cleaned


class RecordingAdminForm(forms.ModelForm):
    audio = RecordingField(
        label=_("Audio file"),
        required=False,
        help_text=_(
            "MP3, M4A, AAC, OGG or WAV. Checked by its content; names, places and devices "
            "in its tags are removed. A new file replaces the old one; it must be listened "
            "to, and cleared, again."
        ),
    )
    cleared = forms.BooleanField(
        label=_("Listened to and cleared"),
        required=False,
        help_text=_(
            "Readers hear the recording only once you have listened to all of it and found "
            "nothing in it that could identify someone who has not agreed."
        ),
    )

    class Meta:
        model = Recording
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["cleared"] = self.instance.is_cleared

    def clean_audio(self):
        uploaded = self.cleaned_data.get("audio")
        # Kept at once, held until the story is saved (purge_private_data drops it otherwise).
        return stored_recording(uploaded) if uploaded else None

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and cleaned.get("cleared"):
            self.add_error(
                "cleared",
                _("Save the recording first, listen to all of it, then mark it cleared."),
            )
        return cleaned

    def save_recording(self, story, *, by):
        """Store, replace or clear the story's recording as this form says.

        A new file is never cleared by the save that brings it, even with the
        box still ticked from the file before: it is cleared once listened to,
        on this page's player, and saved again.
        """
        new = self.cleaned_data.get("audio")
        if new is not None:
            if self.instance.pk:
                self.instance.replace_with(new)
            else:
                new.attach_to(story)
        elif self.instance.pk:
            self.instance.set_cleared(self.cleaned_data["cleared"], by=by)


class RecordingInline(admin.StackedInline):
    model = Recording
    form = RecordingAdminForm
    fields = ("player", "audio", "cleared", "mime_type", "length", "size", "cleared_by")
    readonly_fields = ("player", "mime_type", "length", "size", "cleared_by")
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


@admin.register(Story)
class StoryAdmin(ModerationDeskMixin, admin.ModelAdmin):
    form = StoryAdminForm
    list_display = (
        "title",
        "perspective",
        "theme_names",
        "status",
        "language",
        "featured",
        "has_recording",
        "submitted_at",
        "published_at",
    )
    list_filter = (
        "status",
        "perspective",
        "themes",
        "language",
        RecordingListFilter,
        "featured",
        "is_sample",
    )
    search_fields = ("title", "body", "narrator_name")
    date_hierarchy = "submitted_at"
    list_select_related = ("perspective", "recording")
    list_per_page = 50
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
    fieldsets = (
        (_("Identity shield"), {"fields": ("identity_shield",)}),
        (None, {"fields": ("title", "summary", "body", "content_note", "version_seen")}),
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
            {"fields": ("transcript_webvtt", "transcript_file")},
        ),
        (
            _("Publication"),
            {
                "fields": (
                    "status",
                    "slug",
                    "embargo_until",
                    "published_at",
                    "featured",
                    "is_sample",
                    "submitted_at",
                    "withdrawn_at",
                    "erased_at",
                )
            },
        ),
        (
            _("Private: moderators only"),
            {
                "fields": (
                    "moderator_notes",
                    "contact_email",
                    "may_contact",
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
        "consent_text",
        *privacy.read_only(Story, flatten_fieldsets(fieldsets)),
    )

    def get_queryset(self, request):
        # search_vector is PostgreSQL's index data: large, never shown, kept by reindex().
        return super().get_queryset(request).with_themes().defer("search_vector")

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
        return _("cleared") if recording.is_cleared else _("waiting to be listened to")

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

    @admin.display(description=_("themes"))
    def theme_names(self, story):
        return ", ".join(theme.name for theme in story.theme_list)

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


@admin.register(Perspective)
class PerspectiveAdmin(admin.ModelAdmin):
    list_display = ("name", "name_es", "slug", "display_order", "story_count")
    list_editable = ("display_order",)
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "name_es")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(story_count=Count("stories"))

    @admin.display(description=_("stories (all statuses)"), ordering="story_count")
    def story_count(self, perspective):
        return perspective.story_count


class MergeThemesForm(forms.Form):
    target = forms.ModelChoiceField(
        label=_("Merge into"), queryset=Theme.objects.none(), widget=forms.RadioSelect
    )

    def __init__(self, *args, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = themes


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "name_es", "slug", "story_count")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "name_es", "description")
    actions = ("merge_themes",)
    fields = ("name", "slug", "description", "name_es", "description_es")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(story_count=Count("tagged_stories"))

    @admin.display(description=_("stories (all statuses)"), ordering="story_count")
    def story_count(self, theme):
        return theme.story_count

    @admin.action(permissions=["change", "delete"], description=_("Merge selected themes"))
    def merge_themes(self, request, queryset):
        if queryset.count() < 2:
            self.message_user(request, _("Select at least two themes to merge."), messages.ERROR)
            return None
        form = MergeThemesForm(request.POST if "apply" in request.POST else None, themes=queryset)
        if form.is_valid():
            target = form.cleaned_data["target"]
            merged = [theme for theme in queryset if theme.pk != target.pk]
            for theme in merged:
                theme.merge_into(target)
            self.message_user(
                request,
                ngettext(
                    "%(count)d theme merged into “%(target)s”.",
                    "%(count)d themes merged into “%(target)s”.",
                    len(merged),
                )
                % {"count": len(merged), "target": target.name},
                messages.SUCCESS,
            )
            return None
        return asked_before_acting(
            self,
            request,
            action="merge_themes",
            title=_("Merge themes"),
            form=form,
            objects=queryset,
            intro=_(
                "Every story tagged with a merged theme will be tagged with the theme you "
                "choose; the other selected themes are then deleted."
            ),
            submit_label=_("Merge themes"),
        )


@admin.register(ModerationEvent)
class ModerationEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "story", "actor", "from_status", "to_status", "note")
    list_filter = ("to_status", "from_status")
    list_select_related = ("story", "actor")
    search_fields = ("story__title", "note")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    """Versions are added, never edited: each story keeps the words its narrator agreed to."""

    list_display = ("version", "created_at", "story_count")
    fields = ("version", "text_en", "text_es", "created_at")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(story_count=Count("stories"))

    @admin.display(description=_("stories"), ordering="story_count")
    def story_count(self, consent):
        return consent.story_count

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ResolveReportsForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("How was it resolved?"),
        choices=Report.Resolution.choices,
        widget=forms.RadioSelect,
    )


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Reports come from readers: moderators read and resolve them, never edit them."""

    list_display = ("created_at", "story_link", "reason", "is_open", "resolution", "resolved_by")
    list_filter = ("reason", ("resolved_at", admin.EmptyFieldListFilter), "resolution")
    list_select_related = ("story", "resolved_by")
    date_hierarchy = "created_at"
    actions = ("resolve",)
    fields = (
        "story_link",
        "reason",
        "details",
        "email",
        "created_at",
        "resolved_at",
        "resolved_by",
        "resolution",
        "reporter_hash",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Resolving is an action; the change page only shows the report.
        return super().has_change_permission(request, obj) and obj is None

    @admin.display(description=_("story"))
    def story_link(self, report):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:stories_story_review", args=[report.story_id]),
            report.story,
        )

    @admin.display(description=_("open"), boolean=True)
    def is_open(self, report):
        return report.resolved_at is None

    @admin.action(permissions=["change"], description=_("Resolve selected reports"))
    def resolve(self, request, queryset):
        form = ResolveReportsForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            resolved = sum(
                report.resolve(form.cleaned_data["resolution"], by=request.user)
                for report in queryset
            )
            self.message_user(
                request,
                ngettext("%(count)d report resolved.", "%(count)d reports resolved.", resolved)
                % {"count": resolved},
                messages.SUCCESS,
            )
            return None
        return asked_before_acting(
            self,
            request,
            action="resolve",
            title=_("Resolve reports"),
            form=form,
            objects=queryset.select_related("story"),
            outro=_(
                "Resolving a report changes nothing in the story: edit, redact, approve or "
                "return it to review from the story itself."
            ),
            submit_label=_("Resolve"),
        )


class AcceptSuggestionForm(forms.Form):
    name = forms.CharField(label=_("Theme name"), max_length=100)
    name_es = forms.CharField(label=_("Name in Spanish"), max_length=100, required=False)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if shield.scan(name):
            raise forms.ValidationError(_("This name holds a detail that could identify someone."))
        if Theme.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(
                _("A theme with this name exists: map the suggestion onto it instead.")
            )
        return name


class MapSuggestionForm(forms.Form):
    theme = forms.ModelChoiceField(label=_("Existing theme"), queryset=Theme.objects.all())


@admin.register(ThemeSuggestion)
class ThemeSuggestionAdmin(admin.ModelAdmin):
    """Themes narrators asked for: accept one as a theme, map it onto one, or decline it."""

    list_display = ("name", "story_count", "decision", "theme", "decided_by", "created_at")
    list_filter = ("decision",)
    search_fields = ("name",)
    actions = ("accept", "map_onto_theme", "decline")
    fields = ("name", "story_count", "decision", "theme", "decided_by", "decided_at", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("theme", "decided_by")
            .annotate(story_count=Count("stories"))
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and obj is None

    @admin.display(description=_("stories asking for it"), ordering="story_count")
    def story_count(self, suggestion):
        return suggestion.story_count

    @admin.action(
        permissions=["change"], description=_("Accept as a new theme, tagging its stories")
    )
    def accept(self, request, queryset):
        """One suggestion at a time, named by the moderator: a narrator's words become public."""
        waiting = queryset.filter(decision=ThemeSuggestion.Decision.WAITING)
        if waiting.count() != 1 or not request.user.has_perm("stories.add_theme"):
            self.message_user(
                request,
                _("Select one waiting suggestion; accepting it needs the right to add themes."),
                messages.ERROR,
            )
            return None
        suggestion = waiting.get()
        form = AcceptSuggestionForm(
            request.POST if "apply" in request.POST else None, initial={"name": suggestion.name}
        )
        if form.is_valid():
            theme = suggestion.accept(by=request.user, **form.cleaned_data)
            self.message_user(
                request,
                _("Theme “%(theme)s” created and its stories tagged.") % {"theme": theme.name},
                messages.SUCCESS,
            )
            return None
        return asked_before_acting(
            self,
            request,
            action="accept",
            title=_("Accept a theme suggestion"),
            form=form,
            objects=[suggestion],
            intro=_(
                "The theme's name is public. Write it as the archive would, without anything "
                "that could identify a narrator."
            ),
            submit_label=_("Create the theme"),
        )

    @admin.action(permissions=["change"], description=_("Map onto an existing theme"))
    def map_onto_theme(self, request, queryset):
        form = MapSuggestionForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            for suggestion in queryset.filter(decision=ThemeSuggestion.Decision.WAITING):
                suggestion.map_onto(form.cleaned_data["theme"], by=request.user)
            self.message_user(
                request,
                _("Their stories are now tagged with “%(theme)s”.")
                % {"theme": form.cleaned_data["theme"].name},
                messages.SUCCESS,
            )
            return None
        return asked_before_acting(
            self,
            request,
            action="map_onto_theme",
            title=_("Map suggestions onto a theme"),
            form=form,
            objects=queryset,
            intro=_(
                "The stories that asked for these suggestions will be tagged with the theme "
                "you choose:"
            ),
            submit_label=_("Map onto this theme"),
        )

    @admin.action(permissions=["change"], description=_("Decline"))
    def decline(self, request, queryset):
        for suggestion in queryset.filter(decision=ThemeSuggestion.Decision.WAITING):
            suggestion.decline(by=request.user)
        self.message_user(request, _("Declined."), messages.SUCCESS)
