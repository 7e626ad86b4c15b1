"""
The review workspace's two other editors beside the transcript's: the recording's
index (time-coded segments with their themes and the archive's translation) and
the story's translation. Each is a page of its own with the player pinned at the
top, saved as the page showed the story (its version), as the transcript is.

The translation page is also a volunteer translator's whole admin: with the
``translate_story`` permission alone, a translator opens it for published stories
only, and it shows them only what readers see (docs/moderation.md, "Translations").
"""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import IndexSegment, StaleVersion, Story, Theme
from ..models.index_segments import MAX_SEGMENTS, SYNOPSIS_MAX_LENGTH
from ..models.taxonomy import in_local_order
from ..recordings import transcripts
from ..safety import shield
from .forms import STALE
from .workspace import TimedForm, TimedFormSet

TRANSLATED_INTO = {
    "en": _("translated by the archive into English"),
    "es": _("translated by the archive into Spanish"),
}
TITLE_REQUIRED = _("Give the segment a title.")
SAME_START = _("Another segment starts at %(previous)s: each needs a time of its own.")
NOT_IN_ORDER = _("This segment must start after the one before it (%(previous)s).")
SEGMENTS_IN_ORDER = _("Each segment must start later than the one before it.")
# What a translator may not write into a published story (the shield's high-risk kinds).
TRANSLATOR_REFUSED = _(
    "%(kind)s: a detail that could identify someone. Leave it out of the translation, or "
    "ask a moderator."
)


# --- The index editor ---


class SegmentForm(TimedForm):
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    synopsis = forms.CharField(
        label=_("Synopsis"),
        required=False,
        max_length=SYNOPSIS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    keywords = forms.CharField(
        label=_("Keywords"), required=False, max_length=300, help_text=_("Separated by commas.")
    )
    themes = forms.TypedMultipleChoiceField(
        label=_("Themes"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    title_translation = forms.CharField(required=False, max_length=200)
    synopsis_translation = forms.CharField(
        required=False, max_length=SYNOPSIS_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    keywords_translation = forms.CharField(required=False, max_length=300)

    TRANSLATIONS = ("title_translation", "synopsis_translation", "keywords_translation")

    def __init__(self, *args, themes, into, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].choices = themes
        labels = {
            "title_translation": _("Title, %(translated)s"),
            "synopsis_translation": _("Synopsis, %(translated)s"),
            "keywords_translation": _("Keywords, %(translated)s"),
        }
        for name, label in labels.items():
            self.fields[name].label = label % {"translated": TRANSLATED_INTO[into]}
            self.fields[name].widget.attrs["lang"] = into

    def is_kept(self, cleaned):
        return any(cleaned.get(name) for name in self.fields if name != "themes")

    def clean(self):
        cleaned = super().clean()
        if self.is_kept(cleaned) and not cleaned.get("title") and "title" not in self.errors:
            self.add_error("title", forms.ValidationError(TITLE_REQUIRED, code="required"))
        return cleaned

    def segment(self):
        data = self.cleaned_data
        segment = IndexSegment(
            start=data["at"],
            **{name: data[name] for name in IndexSegment.SHIELDED_FIELDS},
        )
        segment.theme_ids = data["themes"]
        return segment


class BaseIndexFormSet(TimedFormSet):
    not_later = NOT_IN_ORDER
    same_start = SAME_START
    not_increasing = SEGMENTS_IN_ORDER

    def segments(self):
        return [form.segment() for form in self.kept_forms()]


IndexFormSet = forms.formset_factory(
    SegmentForm,
    formset=BaseIndexFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_SEGMENTS,
    absolute_max=MAX_SEGMENTS,
    validate_max=True,
)


def segments_of(story, data=None):
    """The index as a formset, as posted (``data``) or as stored."""
    themes = [(theme.pk, theme.local_name) for theme in in_local_order(Theme.objects.all())]
    initial = [
        {
            "start": segment.clock,
            "themes": [theme.pk for theme in segment.themes.all()],
            **{name: getattr(segment, name) for name in IndexSegment.SHIELDED_FIELDS},
        }
        for segment in story.index_segments.all()
    ]
    return IndexFormSet(
        data,
        initial=None if data is not None else initial,
        prefix="segment",
        form_kwargs={
            "length": datetime.timedelta(seconds=story.recording.duration),
            "themes": themes,
            "into": story.translation_language,
        },
    )


def one_more_row(data):
    """The posted index with an empty segment more (*Add a segment*; nothing is saved)."""
    data = data.copy()
    total = "segment-TOTAL_FORMS"
    rows = data.get(total, "")
    data[total] = str(min(int(rows) + 1, MAX_SEGMENTS)) if rows.isdigit() else rows
    return data


class VersionForm(forms.Form):
    version_seen = forms.IntegerField(widget=forms.HiddenInput)


# --- The translation editor ---


class TranslationForm(VersionForm):
    """The story's translated title, text and summary, and one field per transcript paragraph
    (``paragraph_<pk>``), each shown beside the words it translates."""

    STORY_FIELDS = ("title_translation", "body_translation", "summary_translation")
    ORIGINALS = {
        "title_translation": "title",
        "body_translation": "body",
        "summary_translation": "summary",
    }

    def __init__(self, *args, story, paragraphs, **kwargs):
        super().__init__(*args, **kwargs)
        self.story = story
        into = story.translation_language
        for name in self.STORY_FIELDS:
            field = forms.fields_for_model(Story, fields=[name])[name]
            field.widget.attrs["lang"] = into
            self.fields[name] = field
            self.initial[name] = getattr(story, name)
        self.fields["body_translation"].widget.attrs["rows"] = 16
        self.fields["summary_translation"].widget = forms.Textarea(attrs={"rows": 3, "lang": into})
        self.paragraphs = paragraphs
        for paragraph in paragraphs:
            self.fields[f"paragraph_{paragraph.pk}"] = forms.CharField(
                label=_("Transcript at %(time)s") % {"time": transcripts.clock(paragraph.start)},
                required=False,
                max_length=transcripts.MAX_CUE_LENGTH,
                widget=forms.Textarea(attrs={"rows": 3, "lang": into}),
            )
            self.initial[f"paragraph_{paragraph.pk}"] = paragraph.text_translation

    def texts(self):
        """(bound field, the original's label, the original) in the page's order."""
        story = [
            (
                self[name],
                capfirst(Story._meta.get_field(self.ORIGINALS[name]).verbose_name),
                getattr(self.story, self.ORIGINALS[name]),
            )
            for name in self.STORY_FIELDS
        ]
        transcript = [
            (self[f"paragraph_{p.pk}"], self[f"paragraph_{p.pk}"].label, p.text)
            for p in self.paragraphs
        ]
        return story, transcript

    def refuse_identifying_details(self):
        """A translator's translation goes straight to a published story: one with a high-risk
        detail in it is refused, naming its kind (never quoted back)."""
        for name, value in list(self.cleaned_data.items()):
            if not isinstance(value, str):
                continue
            for finding in shield.scan(value, field=name):
                if finding.is_high_risk:
                    self.add_error(
                        name,
                        forms.ValidationError(
                            TRANSLATOR_REFUSED,
                            code="identifying",
                            params={"kind": shield.KINDS_FOR_MODERATORS[finding.kind]},
                        ),
                    )
                    break

    def save(self, *, by):
        data = self.cleaned_data
        self.story.rewrite_translation(
            {name: data[name] for name in self.STORY_FIELDS},
            {p.pk: data[f"paragraph_{p.pk}"] for p in self.paragraphs},
            version_seen=data["version_seen"],
            by=by,
        )


def player_url(story, moderates):
    """What the translation page plays: a moderator hears the recording, cleared or not;
    a translator only what readers hear, from the site's own guarded road."""
    if moderates:
        has_one = getattr(story, "recording", None) is not None
        return reverse("admin:stories_story_recording", args=[story.pk]) if has_one else None
    if story.public_recording is not None:
        return reverse("story-recording", args=[story.pk])
    return None


def translation_summary(story):
    """What of the story the archive has translated, as the review says it ("title, text,
    transcript (9 of 10 paragraphs)"); from what the review page read ahead."""
    parts = [
        str(label)
        for name, label in (
            ("title_translation", _("title")),
            ("body_translation", _("text")),
            ("summary_translation", _("summary")),
        )
        if getattr(story, name)
    ]
    paragraphs = story.transcript.all()
    translated = sum(1 for paragraph in paragraphs if paragraph.text_translation)
    if translated:
        parts.append(
            ngettext(
                "transcript (%(translated)d of %(count)d paragraph)",
                "transcript (%(translated)d of %(count)d paragraphs)",
                len(paragraphs),
            )
            % {"translated": translated, "count": len(paragraphs)}
        )
    return ", ".join(parts) if parts else str(_("nothing yet"))


class EditorsMixin:
    """The index and translation editors, and a translator's list, as views of the story admin."""

    def get_urls(self):
        return [
            path(
                "<int:story_id>/index/",
                self.admin_site.admin_view(self.index_view),
                name="stories_story_index",
            ),
            path(
                "<int:story_id>/translation/",
                self.admin_site.admin_view(self.translation_view),
                name="stories_story_translation",
            ),
            path(
                "translations/",
                self.admin_site.admin_view(self.translations_view),
                name="stories_story_translations",
            ),
            *super().get_urls(),
        ]

    def index_view(self, request, story_id):
        story = self.recorded_story(
            request, story_id, Story.objects.prefetch_related("index_segments__themes")
        )
        editor = VersionForm(request.POST or None, initial={"version_seen": story.version})
        if "add" in request.POST:
            formset = segments_of(story, one_more_row(request.POST))
        else:
            formset = segments_of(story, request.POST if request.method == "POST" else None)
        if "save" in request.POST and editor.is_valid() and formset.is_valid():
            try:
                story.rewrite_index(
                    formset.segments(),
                    version_seen=editor.cleaned_data["version_seen"],
                    by=request.user,
                )
            except StaleVersion:
                editor.add_error(None, STALE)
            else:
                messages.success(request, _("Index saved."))
                return redirect(reverse("admin:stories_story_review", args=[story.pk]) + "#index")
        return TemplateResponse(
            request,
            "admin/stories/story/index.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Index: %(title)s") % {"title": story},
                "opts": self.model._meta,
                "story": story,
                "editor": editor,
                "formset": formset,
                "translated_into": TRANSLATED_INTO[story.translation_language],
            },
        )

    def translatable_story(self, request, story_id):
        """The story to translate, and whether its translator moderates: a moderator may
        translate any story; a translator only a published one, which for them is all
        there is (any other is 404, as on the site)."""
        stories = Story.objects.select_related("recording").prefetch_related("transcript")
        if self.has_change_permission(request):
            return get_object_or_404(stories, pk=story_id), True
        if not request.user.has_perm("stories.translate_story"):
            raise PermissionDenied
        return get_object_or_404(stories.published(), pk=story_id), False

    def translation_view(self, request, story_id):
        story, moderates = self.translatable_story(request, story_id)
        # A transcript is public only once its recording is cleared: a translator sees it then.
        paragraphs = list(story.transcript.all()) if moderates or story.cleared_recording else []
        form = TranslationForm(
            request.POST or None,
            initial={"version_seen": story.version},
            story=story,
            paragraphs=paragraphs,
        )
        if request.method == "POST" and form.is_valid():
            if not moderates:
                form.refuse_identifying_details()
        if request.method == "POST" and form.is_valid():
            try:
                form.save(by=request.user)
            except StaleVersion:
                form.add_error(None, STALE)
            else:
                messages.success(request, _("Translation saved."))
                if moderates:
                    review = reverse("admin:stories_story_review", args=[story.pk])
                    return redirect(review + "#translation")
                return redirect("admin:stories_story_translations")
        story_texts, transcript_texts = form.texts()
        return TemplateResponse(
            request,
            "admin/stories/story/translation.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Translation: %(title)s") % {"title": story},
                "opts": self.model._meta,
                "story": story,
                "form": form,
                "moderates": moderates,
                "story_texts": story_texts,
                "transcript_texts": transcript_texts,
                "translated_into": TRANSLATED_INTO[story.translation_language],
                "player_url": player_url(story, moderates),
            },
        )

    def translations_view(self, request):
        """A translator's first page: the published stories, newest first, each with
        whether its text is translated yet."""
        if not (
            self.has_change_permission(request) or request.user.has_perm("stories.translate_story")
        ):
            raise PermissionDenied
        stories = (
            Story.objects.published()
            .order_by("-published_at", "pk")
            .only("pk", "title", "language", "published_at", "title_translation")
            .annotate(
                text_translated=ExpressionWrapper(
                    ~Q(body_translation=""), output_field=BooleanField()
                )
            )
        )
        page = Paginator(stories, 50).get_page(request.GET.get("page"))
        return TemplateResponse(
            request,
            "admin/stories/story/translations.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Stories to translate"),
                "opts": self.model._meta,
                "page": page,
            },
        )
