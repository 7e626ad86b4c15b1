import datetime
import secrets

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinLengthValidator
from django.utils import timezone, translation
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from ..models import (
    EARLIEST_YEAR,
    Licence,
    Perspective,
    Report,
    Story,
    Theme,
    hold_minutes,
)
from ..recordings.forms import RecordingField, hold_for_form
from ..safety import shield
from .choices import (
    DescribedRadioSelect,
    LicenceChoiceField,
    LocalNameChoiceField,
    LocalNameMultipleChoiceField,
)

BODY_MIN_LENGTH = 200
BODY_MAX_LENGTH = 20_000
SHOW_NOW, SHOW_LATER = "now", "later"
# How a narrator appears to readers: the first question about them, nothing preselected.
ANONYMOUS, NAMED = "anonymous", "named"
# An embargo is for years, not generations; a typo like 20255 must not hide a story forever.
LONGEST_EMBARGO_YEARS = 50


class AccessibleFormMixin:
    """Tie each widget to its help text and errors so screen readers announce them."""

    def full_clean(self):
        super().full_clean()
        for name, field in self.fields.items():
            bound = self[name]
            described_by = []
            if field.help_text:
                described_by.append(f"{bound.auto_id}_help")
            if self.errors.get(name):
                described_by.append(f"{bound.auto_id}_errors")
                field.widget.attrs["aria-invalid"] = "true"
            if described_by and not bound.use_fieldset:
                field.widget.attrs["aria-describedby"] = " ".join(described_by)


class HoneypotForm(forms.Form):
    """A field people never see; bots fill in every field they find."""

    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    @property
    def is_spam(self):
        """Only bots fill in the hidden field; their posts are quietly dropped."""
        return bool(self.cleaned_data.get("website"))


class ShareForm(AccessibleFormMixin, HoneypotForm, forms.ModelForm):
    """What a narrator fills in. Everything typed is kept when the form comes back with errors."""

    # Required, at least BODY_MIN_LENGTH, only without a recording (clean()): a story told
    # aloud is whole, and a few written lines may come with it.
    body = forms.CharField(
        label=_("Your story"),
        widget=forms.Textarea(attrs={"rows": 14}),
        required=False,
        max_length=BODY_MAX_LENGTH,
        help_text=_(
            "Between 200 and 20,000 characters. Tell it in your own words, in English or "
            "Spanish. If you send a recording, writing is optional."
        ),
    )
    perspective = LocalNameChoiceField(
        label=_("I am speaking as"),
        queryset=Perspective.objects.all(),
        widget=DescribedRadioSelect,
        empty_label=None,
        help_text=_(
            "Choose the one closest to where you stand. Choosing “Immigrants” says "
            "nothing about anyone's immigration status."
        ),
    )
    themes = LocalNameMultipleChoiceField(
        label=_("What is your story about?"),
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Choose any that fit."),
    )
    appear = forms.ChoiceField(
        label=_("How do you want to appear?"),
        choices=[(ANONYMOUS, _("Anonymous")), (NAMED, _("With a name I choose"))],
        widget=forms.RadioSelect,
        help_text=_("Readers see this beside your story."),
        error_messages={
            "required": _("Choose how you want to appear: anonymous, or with a name you choose.")
        },
    )
    year_happened = forms.IntegerField(
        label=_("Year it happened"),
        required=False,
        min_value=EARLIEST_YEAR,
        help_text=_("A year is enough, for example 2017."),
    )
    notify_decision = forms.BooleanField(
        label=_("Email me when a moderator decides"),
        required=False,
        help_text=_(
            "One email when your story is published or declined, with the reason. "
            "Your private page says the same."
        ),
    )
    may_contact = forms.BooleanField(
        label=_("You may contact me about my story after it is published"),
        required=False,
        help_text=_(
            "Without this, your email address is erased as soon as your story is approved."
        ),
    )
    show_from = forms.ChoiceField(
        label=_("When may your story be shown?"),
        choices=[
            (SHOW_NOW, _("As soon as a moderator has approved it")),
            (SHOW_LATER, _("Not before a date I choose")),
        ],
        initial=SHOW_NOW,
        widget=forms.RadioSelect,
    )
    embargo_date = forms.DateField(
        label=_("Not before"),
        required=False,
        # The browser shows the date in its own format and sends it as
        # YYYY-MM-DD, which is also the only value it reads back: no format is
        # named to the narrator, and none other is written into the field.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Only if you chose a date above. Your story stays private until that day, "
            "even once approved."
        ),
    )
    # Chosen with the consent, on the last step; the archive's default is selected first.
    licence = LicenceChoiceField(
        Licence.objects.offered(),
        label=_("What may readers do with your story?"),
        help_text=_(
            "Either way, anyone may read your story here and quote it. Later you can only make "
            "this stricter."
        ),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree: my story may be published in this archive as described above, "
            "and I can ask for it to be withdrawn at any time."
        ),
        required=True,
        error_messages={"required": _("We can only publish your story with your consent.")},
    )
    recording = RecordingField(
        label=_("A recording of your story"),
        required=False,
        help_text=_(
            "MP3, M4A, AAC, OGG, WebM or WAV, up to %(minutes)d minutes and %(size)d MB. "
            "Names, places, dates and the device that recorded it are removed from the "
            "file. A moderator listens to all of it before anyone else can; a later step "
            "asks whether readers may hear it."
        ),
    )
    # Asked with the recording, stored with the consent (Story.voice); ignored without one.
    voice = forms.ChoiceField(
        label=_("Who may hear your recording?"),
        choices=Story.Voice.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "Needed if you send a recording. A voice can identify the person speaking, even "
            "without a name. If you keep your voice private, only moderators hear it: they "
            "write down what you say, and readers get only that transcript, never the sound. "
            "You can make this choice more private later, never less."
        ),
    )
    remove_recording = forms.BooleanField(label=_("Remove this recording"), required=False)
    # The version of the consent text this page showed: the story records what
    # the narrator read, so a text changed since the page was opened is shown again.
    consent_version = forms.CharField(widget=forms.HiddenInput, required=False)
    # One id per form shown, sent back with it: sending the same form twice makes one story.
    submission_id = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=64, empty_value=None
    )

    class Meta:
        model = Story
        fields = [
            "title",
            "body",
            "summary",
            "perspective",
            "themes",
            "suggested_theme",
            "language",
            "appear",
            "narrator_name",
            "narrator_descriptor",
            "place",
            "year_happened",
            "content_note",
            "contact_email",
        ]
        labels = {
            "title": _("Title"),
            "summary": _("Summary"),
            "suggested_theme": _("Suggest a theme that is missing"),
            "language": _("Language of your story"),
            "narrator_name": _("The name to show (only if you chose “With a name I choose”)"),
            "narrator_descriptor": _("Who you are, in a few words"),
            "place": _("Neighbourhood or city"),
            "content_note": _("Content note"),
            "contact_email": _("Email (private)"),
        }
        help_texts = {
            "title": _("A few words that name your story."),
            "summary": _("One or two sentences, shown in lists of stories. Optional."),
            "suggested_theme": _(
                "Optional. A moderator reads it and may add it as a theme; "
                "your words are not published."
            ),
            "narrator_name": _("A first name or a name you choose, not your full legal name."),
            "narrator_descriptor": _('Optional. For example "nurse, Boyle Heights".'),
            "place": _("Optional. A neighbourhood is enough; never a street address."),
            "content_note": _(
                "Optional. Warn readers of difficult content, for example violence or detention."
            ),
            "contact_email": _(
                "Optional. Never published and never shared. Moderators use it only "
                "if they need to ask you about your story."
            ),
        }
        widgets = {
            "language": forms.RadioSelect,
            "summary": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(
        self,
        *args,
        consent,
        held_recording=None,
        held_recording_lost=False,
        may_upload=True,
        sender="",
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.consent = consent
        self.may_upload = may_upload
        # A recording this form was sent with before (through the shield's review
        # step, or with errors elsewhere), held on the server: never asked for again.
        self.held_recording = held_recording
        # One it was sent with, held too long and deleted: the narrator is told.
        self.held_recording_lost = held_recording_lost
        self.sender = sender  # the client's keyed network hash, for the bytes it holds
        self.fields["recording"].help_text %= {
            "size": settings.RECORDING_MAX_BYTES // 1_000_000,
            "minutes": self.recording_max_minutes,
        }
        appear = self.data.get("appear") if self.is_bound else self.initial.get("appear")
        if appear != NAMED:
            # Anonymity first: a narrator who asked not to be named (or has not said yet)
            # sees "keep my voice private" first. Nothing is chosen for them.
            self.fields["voice"].choices = list(reversed(Story.Voice.choices))
        self.initial["consent_version"] = consent.version
        self.initial.setdefault("submission_id", secrets.token_urlsafe(24))
        this_year = datetime.date.today().year
        self.fields["year_happened"].validators.append(MaxValueValidator(this_year))
        self.fields["year_happened"].widget.attrs["max"] = this_year
        self.fields["title"].validators.append(MinLengthValidator(3))
        if not self.is_bound:
            self.initial.setdefault("language", "es" if get_language() == "es" else "en")

    @property
    def recording_max_seconds(self):
        return settings.RECORDING_MAX_SECONDS

    @property
    def recording_max_minutes(self):
        return max(1, settings.RECORDING_MAX_SECONDS // 60)

    def clean_recording(self):
        """A new recording is kept (held) as soon as it passes: the form may come back."""
        uploaded = self.cleaned_data.get("recording")
        if uploaded and not self.may_upload:
            raise forms.ValidationError(
                _(
                    "You have sent several recordings in a short time. Send your story "
                    "without one, or try again in an hour."
                ),
                code="rate_limited",
            )
        if not uploaded:
            return None
        return hold_for_form(uploaded, held_by=self.sender, replacing=self.held_recording)

    def settle_recording(self):
        """After validation: the recording that goes with this form from now on, or None.

        A new one takes the place of the held one; "Remove this recording"
        drops it. What is replaced or removed is deleted at once.
        """
        cleaned = getattr(self, "cleaned_data", {})  # an empty POST leaves the form unbound
        new = cleaned.get("recording")
        if new is not None or cleaned.get("remove_recording"):
            if self.held_recording is not None:
                self.held_recording.delete()
            self.held_recording = new
        return self.held_recording

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("appear") == NAMED and not cleaned.get("narrator_name", "").strip():
            self.add_error(
                "narrator_name",
                _("Give the name to show, or choose “Anonymous”."),
            )
        if self.held_recording_lost:
            self._tell_held_recording_lost(cleaned)
        if self.comes_with_recording(cleaned) and not cleaned.get("voice"):
            self.add_error(
                "voice",
                forms.ValidationError(
                    _(
                        "Choose whether readers may hear your recording, or only read "
                        "what you said."
                    ),
                    code="voice_needed",
                ),
            )
        if not self.comes_with_recording(cleaned) and "body" not in self.errors:
            self._check_written_story(cleaned.get("body", ""))
        if cleaned.get("show_from") == SHOW_LATER:
            self._check_embargo_date(cleaned.get("embargo_date"))
        if cleaned.get("consent_version") != self.consent.version and "consent" not in self.errors:
            self.add_error(
                "consent",
                _(
                    "The consent text changed after you opened this page. "
                    "Please read it again above and tick the box if you agree."
                ),
            )
        return cleaned

    def comes_with_recording(self, cleaned):
        """Whether a recording goes with this post: a new one, or the one held and kept.

        A recording refused with an error is none: the narrator is told so beside it.
        """
        if cleaned.get("recording"):
            return True
        return self.held_recording is not None and not cleaned.get("remove_recording")

    def _check_written_story(self, body):
        if not body:
            self.add_error(
                "body",
                forms.ValidationError(
                    _("Write your story here, or send a recording of it."), code="required"
                ),
            )
        elif len(body) < BODY_MIN_LENGTH:
            self.add_error(
                "body",
                forms.ValidationError(
                    _(
                        "Write at least %(min)d characters (you wrote %(length)d), "
                        "or send a recording of your story."
                    ),
                    code="min_length",
                    params={"min": BODY_MIN_LENGTH, "length": len(body)},
                ),
            )

    def _tell_held_recording_lost(self, cleaned):
        """Once, unless a recording came or went with this post: the form never drops it unsaid."""
        if (
            cleaned.get("recording")
            or cleaned.get("remove_recording")
            or "recording" in self.errors
        ):
            return
        minutes = hold_minutes()
        self.add_error(
            "recording",
            forms.ValidationError(
                ngettext(
                    "The recording you sent with this form was kept for %(minutes)d minute only "
                    "and has been deleted. Choose it again, or send your story without it.",
                    "The recording you sent with this form was kept for %(minutes)d minutes only "
                    "and has been deleted. Choose it again, or send your story without it.",
                    minutes,
                )
                % {"minutes": minutes},
                code="held_too_long",
            ),
        )

    def _check_embargo_date(self, date):
        if "embargo_date" in self.errors:
            return
        today = timezone.localdate()
        if date is None:
            self.add_error("embargo_date", _("Choose the date your story may be shown from."))
        elif date <= today:
            self.add_error("embargo_date", _("Choose a date after today."))
        elif date.year > today.year + LONGEST_EMBARGO_YEARS:
            self.add_error(
                "embargo_date",
                _("Choose a date within %(years)d years.") % {"years": LONGEST_EMBARGO_YEARS},
            )

    def shield_findings(self):
        """What the identity shield finds in the fields that could become public."""
        names = ()
        if self.cleaned_data.get("appear") == ANONYMOUS:
            names = (self.cleaned_data.get("narrator_name", ""),)
        return shield.scan_fields(self.cleaned_data, names=names)

    def without_finding(self, key):
        """The posted data with the finding ``key`` names ("field:start:end") replaced by its
        placeholder ("[phone number removed]", in the story's language), and that finding;
        or None if no finding has that key any more (the narrator has edited the text since).

        Everything else stays as posted: only the one field changes.
        """
        finding = next((f for f in self.shield_findings() if f.key == key), None)
        if finding is None:
            return None
        data = self.data.copy()
        with translation.override(self.cleaned_data["language"]):
            data[finding.field] = shield.remove(self.cleaned_data[finding.field], finding)
        data.pop("remove", None)
        return data, finding

    def story_fields(self):
        """The cleaned values that become the story's own fields."""
        data = {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name not in {"themes", "appear"}
        }
        data["is_anonymous"] = self.cleaned_data["appear"] == ANONYMOUS
        # Chosen with the consent, among those offered (the field read them).
        data["licence"] = self.cleaned_data["licence"]
        # Given with the consent, for the recording that goes with the story (settled by now).
        data["voice"] = self.cleaned_data["voice"] if self.held_recording is not None else ""
        data["may_contact"] = bool(data["contact_email"] and self.cleaned_data["may_contact"])
        data["notify_decision"] = bool(
            data["contact_email"] and self.cleaned_data["notify_decision"]
        )
        if self.cleaned_data["show_from"] == SHOW_LATER:
            day = self.cleaned_data["embargo_date"]
            data["embargo_until"] = timezone.make_aware(
                datetime.datetime.combine(day, datetime.time.min)
            )
        # An anonymous narrator's name, if typed, is kept privately until a
        # moderator has decided (approval erases it): the identity shield
        # looks for it in the story.
        return data


class ReportForm(AccessibleFormMixin, HoneypotForm, forms.ModelForm):
    class Meta:
        model = Report
        fields = ["reason", "details", "email"]
        labels = {
            "reason": _("What is wrong with this story?"),
            "details": _("Details"),
            "email": _("Your email (private)"),
        }
        help_texts = {
            "details": _(
                "Optional. What should a moderator look at? Please do not repeat "
                "the personal information itself."
            ),
            "email": _("Optional. Only if you would like an answer. Never published."),
        }
        widgets = {
            "reason": forms.RadioSelect,
            "details": forms.Textarea(attrs={"rows": 5, "maxlength": 2000}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No pre-selected "---------": a reader chooses a reason.
        self.fields["reason"].choices = Report.Reason.choices
