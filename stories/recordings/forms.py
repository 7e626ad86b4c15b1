"""A recording on a form: the field and its picker, and an upload refused kept as a form error."""

from django import forms
from django.conf import settings
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

from ..models import HoldRefused, Recording
from . import audio

# The project's templates (templates/), which the default form renderer does not read.
PROJECT_TEMPLATES = TemplatesSetting()


class RecordingFileInput(forms.FileInput):
    """The file picker, labelled in the page's language (static/js/file-picker.js).

    A browser writes its own file input's button and "no file chosen" in the
    browser's language, whatever the page's. With JavaScript, the native
    input stays in place, focusable and transparent, over a button of our own
    words, beside a line naming what was chosen; without it, the native input
    shows as it always has.
    """

    template_name = "stories/widgets/recording_file.html"

    def render(self, name, value, attrs=None, renderer=None):
        return super().render(name, value, attrs, renderer=PROJECT_TEMPLATES)


class RecordingField(forms.FileField):
    """An audio upload, refused past RECORDING_MAX_BYTES (recordings/uploads.py stops reading it).

    The content is checked where it is stored (``Recording.store``), once.
    """

    widget = RecordingFileInput(attrs={"accept": "audio/*,.mp3,.m4a,.aac,.ogg,.opus,.webm,.wav"})

    def validate(self, value):
        super().validate(value)
        if value and value.size > settings.RECORDING_MAX_BYTES:
            raise forms.ValidationError(
                _("This recording is too large: send one of at most %(size)d MB."),
                code="too_large",
                params={"size": settings.RECORDING_MAX_BYTES // 1_000_000},
            )


def stored_recording(uploaded, *, story=None):
    """Keep an upload ``RecordingField`` cleaned as a ``Recording``; a refusal is a form error."""
    try:
        return Recording.store(uploaded, story=story)
    except audio.RecordingRefused as refused:
        raise forms.ValidationError(refused.message, code=refused.code) from None


def hold_for_form(uploaded, *, held_by, replacing):
    """Hold an upload for a share form (``Recording.hold``); a refusal is a form error."""
    try:
        return Recording.hold(uploaded, held_by=held_by, replacing=replacing)
    except audio.RecordingRefused as refused:
        raise forms.ValidationError(refused.message, code=refused.code) from None
    except HoldRefused as refused:
        raise forms.ValidationError(refused.message, code=refused.code) from None
