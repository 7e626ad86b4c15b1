"""
The review as one workspace: beside the story's text, the forms a moderator
fills in while reading it (clearing the recording once heard, the pull quote,
the notes), each a plain POST back to the review; and the transcript editor,
a page of its own beside the player (docs/moderation.md says why).

Every change is made as the page showed the story: a form carries the story's
version (or the recording it played), and a change over a newer one is refused.
"""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from ..models import StaleVersion, Story, TranscriptSegment
from ..recordings import transcripts
from .forms import STALE


class AsSeenForm(forms.ModelForm):
    """Some of a story's fields, saved only if the story is still the version the page showed."""

    version_seen = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["version_seen"] = self.instance.version

    def save_as_seen(self, *, by):
        fields = list(self._meta.fields)
        with self.instance.locked_as_seen(self.cleaned_data["version_seen"]) as story:
            for name in fields:
                setattr(story, name, self.cleaned_data[name])
            story.save(update_fields=[*fields, "updated_at"])


class QuoteForm(AsSeenForm):
    """The pull quote, checked against the story's words by the model (``QuotedStory.clean``)."""

    action = section = "quote"
    saved = _("Pull quote saved.")

    class Meta:
        model = Story
        fields = ["quote"]
        widgets = {"quote": forms.Textarea(attrs={"rows": 2})}


class NotesForm(AsSeenForm):
    action = section = "notes"
    saved = _("Notes saved.")

    class Meta:
        model = Story
        fields = ["moderator_notes"]
        widgets = {"moderator_notes": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"moderator_notes": _("For moderators only; never published.")}


class ClearRecordingForm(forms.Form):
    """Clearing the recording the page played, once the moderator says they heard all of it."""

    action = "clear"
    section = "recording"
    saved = _("Recording cleared: your name and the time are in the story's history.")

    listened = forms.BooleanField(
        label=_("I listened to all of it"),
        error_messages={
            "required": _("Listen to all of the recording, then tick “I listened to all of it”.")
        },
    )
    recording = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, recording, **kwargs):
        super().__init__(*args, **kwargs)
        self.heard = recording
        self.initial["recording"] = recording.pk

    def clean_recording(self):
        if self.cleaned_data["recording"] != self.heard.pk:
            raise forms.ValidationError(
                _("The recording was replaced after you opened this page: listen to the new one."),
                code="replaced",
            )
        return self.heard.pk

    def save_as_seen(self, *, by):
        self.heard.set_cleared(True, by=by)


class ReviewWorkspace:
    """The review's own forms for ``story``; the one ``request`` posted is bound to its data."""

    def __init__(self, request, story, recording):
        self.story = story
        self.posted = request.POST.get("workspace") if request.method == "POST" else None

        def form(form_class, **kwargs):
            data = request.POST if self.posted == form_class.action else None
            return form_class(data, prefix=form_class.action, **kwargs)

        self.forms = {
            "quote_form": form(QuoteForm, instance=story),
            "notes_form": form(NotesForm, instance=story),
        }
        if recording is not None and not recording.is_cleared:
            self.forms["clear_form"] = form(ClearRecordingForm, recording=recording)

    def save(self, request):
        """Save the posted form; whether it was saved (its errors are on it otherwise)."""
        form = next((form for form in self.forms.values() if form.is_bound), None)
        if form is None:
            return False  # a form the page no longer shows (the recording cleared meanwhile)
        self.section = form.section
        try:
            if form.is_valid():
                form.save_as_seen(by=request.user)
                messages.success(request, form.saved)
                return True
        except StaleVersion:
            form.add_error(None, STALE)
        # A model form wrote what it was given onto the story: the page shows the story as stored.
        self.story.refresh_from_db(fields=["quote", "moderator_notes"])
        return False


# --- The transcript editor ---

NOT_LATER = _("This paragraph must start after the one before it (%(previous)s).")
AFTER_THE_END = _("The recording ends at %(length)s: this paragraph cannot start after that.")
TIMES_MUST_INCREASE = _("Each paragraph must start later than the one before it.")


class TimedForm(forms.Form):
    """A row with the time it starts at in the recording, typed (m:ss) or taken from the
    player: a transcript paragraph here, an index segment in editors.py."""

    start = forms.CharField(
        label=_("Starts at"),
        required=False,
        max_length=16,
        help_text=_("m:ss or h:mm:ss"),
        widget=forms.TextInput(attrs={"size": 8, "autocomplete": "off"}),
    )

    def __init__(self, *args, length, **kwargs):
        super().__init__(*args, **kwargs)
        self.length = length  # the recording's

    def is_kept(self, cleaned):
        """Whether the row is saved (one left empty is left out)."""
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if not self.is_kept(cleaned) or "start" in self.errors:
            return cleaned
        try:
            cleaned["at"] = transcripts.parse_clock(cleaned.get("start", ""))
        except forms.ValidationError as error:
            self.add_error("start", error)
            return cleaned
        if cleaned["at"] > self.length:
            self.add_error(
                "start",
                forms.ValidationError(
                    AFTER_THE_END,
                    code="after_the_end",
                    params={"length": transcripts.clock(self.length)},
                ),
            )
        return cleaned


class ParagraphForm(TimedForm):
    text = forms.CharField(
        label=_("Words"),
        required=False,
        max_length=transcripts.MAX_CUE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def is_kept(self, cleaned):
        return bool(cleaned.get("text"))


class TimedFormSet(forms.BaseFormSet):
    """Rows in the order of their times, each later than the one before; empty ones left out."""

    not_later = NOT_LATER
    same_start = NOT_LATER  # the same time twice, when a form set says it otherwise
    not_increasing = TIMES_MUST_INCREASE

    def kept_forms(self):
        return [
            form
            for form in self.forms
            if not (self.can_delete and self._should_delete_form(form))
            and form.is_kept(form.cleaned_data)
        ]

    def clean(self):
        if any(self.errors):
            return
        previous = None
        refused = False
        for form in self.kept_forms():
            at = form.cleaned_data["at"]
            if previous is not None and at <= previous:
                form.add_error(
                    "start",
                    forms.ValidationError(
                        self.same_start if at == previous else self.not_later,
                        code="not_later",
                        params={"previous": transcripts.clock(previous)},
                    ),
                )
                refused = True
            else:
                previous = at
        if refused:
            raise forms.ValidationError(self.not_increasing, code="not_increasing")


class BaseTranscriptFormSet(TimedFormSet):
    """The transcript's paragraphs in order; one left without words is left out."""

    def cues(self):
        return [
            transcripts.Cue(start=form.cleaned_data["at"], end=None, text=form.cleaned_data["text"])
            for form in self.kept_forms()
        ]


TranscriptFormSet = forms.formset_factory(
    ParagraphForm,
    formset=BaseTranscriptFormSet,
    extra=1,
    max_num=transcripts.MAX_CUES,
    absolute_max=transcripts.MAX_CUES,
    validate_max=True,
)


class TranscriptEditorForm(forms.Form):
    version_seen = forms.IntegerField(widget=forms.HiddenInput)
    pasted = forms.CharField(
        label=_("The whole transcript as text"),
        required=False,
        max_length=transcripts.MAX_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "A blank line between paragraphs. “Split into paragraphs” puts these paragraphs "
            "in place of those above and keeps their times in order; nothing is saved until "
            "you save."
        ),
    )


def paragraphs_of(recording, data=None, initial=None):
    """The transcript's paragraphs as a formset, as posted (``data``) or as shown first."""
    return TranscriptFormSet(
        data,
        initial=initial,
        prefix="paragraph",
        form_kwargs={"length": datetime.timedelta(seconds=recording.duration)},
    )


def split_pasted(request, editor, recording):
    """The pasted text's paragraphs, each with the time typed for the paragraph in its place."""
    starts = [form["start"].value() or "" for form in paragraphs_of(recording, request.POST)]
    texts = transcripts.paragraphs(editor["pasted"].value() or "")
    return paragraphs_of(
        recording,
        initial=[
            {"start": starts[number] if number < len(starts) else "", "text": text}
            for number, text in enumerate(texts)
        ],
    )


class ReviewWorkspaceMixin:
    """The transcript editor and its WebVTT, as views of the story admin."""

    def get_urls(self):
        return [
            path(
                "<int:story_id>/transcript/",
                self.admin_site.admin_view(self.transcript_view),
                name="stories_story_transcript",
            ),
            path(
                "<int:story_id>/transcript.vtt",
                self.admin_site.admin_view(self.transcript_webvtt_view),
                name="stories_story_transcript_webvtt",
            ),
            *super().get_urls(),
        ]

    def recorded_story(self, request, story_id, stories=Story.objects):
        story = get_object_or_404(stories.select_related("recording"), pk=story_id)
        if not self.has_change_permission(request, story):
            raise PermissionDenied
        if getattr(story, "recording", None) is None:
            raise Http404  # a story without a recording has no transcript, and no index
        return story

    def transcript_view(self, request, story_id):
        story = self.recorded_story(request, story_id)
        editor = TranscriptEditorForm(
            request.POST if request.method == "POST" else None,
            initial={
                "version_seen": story.version,
                "pasted": "\n\n".join(segment.text for segment in story.transcript.all()),
            },
        )
        if request.method != "POST":
            formset = paragraphs_of(
                story.recording,
                initial=[
                    {"start": transcripts.clock(segment.start), "text": segment.text}
                    for segment in story.transcript.all()
                ],
            )
        elif "split" in request.POST:
            formset = split_pasted(request, editor, story.recording)
        else:
            formset = paragraphs_of(story.recording, request.POST)
            if editor.is_valid() and formset.is_valid():
                try:
                    story.rewrite_transcript(
                        formset.cues(), version_seen=editor.cleaned_data["version_seen"]
                    )
                except StaleVersion:
                    editor.add_error(None, STALE)
                else:
                    messages.success(request, _("Transcript saved."))
                    return redirect(
                        reverse("admin:stories_story_review", args=[story.pk]) + "#recording"
                    )
        return TemplateResponse(
            request,
            "admin/stories/story/transcript.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Transcript: %(title)s") % {"title": story},
                "opts": self.model._meta,
                "original": story,
                "story": story,
                "editor": editor,
                "formset": formset,
            },
        )

    def transcript_webvtt_view(self, request, story_id):
        """The transcript as WebVTT for a subtitle editor, the story published or not."""
        story = self.recorded_story(request, story_id)
        response = HttpResponse(
            TranscriptSegment.as_webvtt(story, duration=story.recording.duration),
            content_type="text/vtt; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="story-{story.pk}-transcript.vtt"'
        response["Cache-Control"] = "no-store"
        return response
