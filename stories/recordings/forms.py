"""A recording on a form: the upload field, and keeping an upload with a refusal as a form error."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..models import HoldRefused, Recording
from . import audio


class RecordingField(forms.FileField):
    """An audio upload, refused past RECORDING_MAX_BYTES (recordings/uploads.py stops reading it).

    The content is checked where it is stored (``Recording.store``), once.
    """

    widget = forms.FileInput(attrs={"accept": "audio/*,.mp3,.m4a,.aac,.ogg,.opus,.webm,.wav"})

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
