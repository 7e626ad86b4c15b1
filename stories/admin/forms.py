"""The admin's forms: the story's and its recording's, and those the actions ask to fill in."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import ModerationEvent, Recording, Report, Story, Theme, normalise_identifier
from ..recordings import transcripts
from ..recordings.forms import RecordingField, stored_recording
from ..safety import shield
from .language import local_name
from .widgets import NamedFilteredSelectMultiple

# A change made from a page showing an older version of the story (Story.version).
STALE = _(
    "Another moderator changed this story after you opened it, so your changes were not "
    "saved. Open the story again to see theirs, then make yours."
)


class StoryAdminForm(forms.ModelForm):
    # Themes are curated: moderators choose among existing ones here and
    # create new ones under Themes, so a typo never becomes a public theme.
    themes = forms.ModelMultipleChoiceField(
        label=_("themes"),
        queryset=Theme.objects.all(),
        required=False,
        widget=NamedFilteredSelectMultiple(_("themes"), is_stacked=False),
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
        for curated in ("perspective", "themes"):
            if curated in self.fields:
                self.fields[curated].label_from_instance = local_name

    def clean_persistent_identifier(self):
        """Kept as the model keeps it (ark:/… or doi:…), so that the same identifier pasted
        with a resolver's address in front is found taken by another story."""
        return normalise_identifier(self.cleaned_data.get("persistent_identifier", ""))

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
                raise forms.ValidationError(STALE, code="stale")
        return cleaned


class RecordingAdminForm(forms.ModelForm):
    audio = RecordingField(
        label=_("Audio file"),
        required=False,
        help_text=_(
            "MP3, M4A, AAC, OGG, WebM (kept as OGG) or WAV. Checked by its content; names, "
            "places, devices and the date it was recorded are removed from the file. A new "
            "file replaces the old one; it must be listened to, and cleared, again."
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


class RejectForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", "---------"), *ModerationEvent.RejectionReason.choices],
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the story's history; never published."),
    )
    note_to_narrator = forms.CharField(
        label=_("Note for the narrator"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Optional. They will see it on their private page (and by email if they asked); "
            "do not include anything they did not write."
        ),
    )


class MergeThemesForm(forms.Form):
    target = forms.ModelChoiceField(
        label=_("Merge into"), queryset=Theme.objects.none(), widget=forms.RadioSelect
    )

    def __init__(self, *args, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = themes
        self.fields["target"].label_from_instance = local_name


class ResolveReportsForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("How was it resolved?"),
        choices=Report.Resolution.choices,
        widget=forms.RadioSelect,
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
