"""
A recording sent ahead of its form, in the background (static/js/recorder.js).

On a phone, a connection can drop between recording and sending: the
recorder uploads the recording as soon as it stops (or a file is picked),
retrying until it arrives, and this view holds it on the server for the form
exactly as the form itself would (``hold_for_form``, the same rate limit).
The form then finds it under the same session key, for the same submission
id, and shows it as a recording kept with the form. Answers are JSON, their
messages in the narrator's language; their status codes are the form's.
"""

from django import forms
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ..models import Recording
from ..recordings.forms import RecordingField, hold_for_form
from ..safety import limits
from .guards import private
from .share import HELD_RECORDING_SESSION_KEY, may_upload_recording

# The form's answers for a recording it refuses over a limit; anything else refused is a 400.
REFUSED_STATUS = {"rate_limited": 429, "held_by_client": 429, "held_in_all": 503}

# The share form's own words for the same refusal (stories/pages/forms.py), so one translation.
RATE_LIMITED = _(
    "You have sent several recordings in a short time. Send your story "
    "without one, or try again in an hour."
)


class RecordingUploadForm(forms.Form):
    recording = RecordingField()
    # The form's hidden one-time id (ShareForm.submission_id): the recording is held for it.
    submission_id = forms.CharField(max_length=64)

    def __init__(self, *args, may_upload, **kwargs):
        super().__init__(*args, **kwargs)
        self.may_upload = may_upload

    def clean_recording(self):
        uploaded = self.cleaned_data["recording"]
        if not self.may_upload:
            raise forms.ValidationError(RATE_LIMITED, code="rate_limited")
        return uploaded


@private
@require_POST
def recording_upload(request):
    """Hold an uploaded recording for the share form it came from; JSON ``{"length": "0:20"}``.

    A recording already held for the same form is replaced, and deleted.
    """
    form = RecordingUploadForm(
        request.POST, request.FILES, may_upload=may_upload_recording(request)
    )
    if not form.is_valid():
        return refused(form)
    submission_id = form.cleaned_data["submission_id"]
    replacing = held_for(request, submission_id)
    try:
        recording = hold_for_form(
            form.cleaned_data["recording"],
            held_by=limits.client_key(request),
            replacing=replacing,
        )
    except forms.ValidationError as error:
        form.add_error("recording", error)
        return refused(form)
    if replacing is not None:
        replacing.delete()
    request.session[HELD_RECORDING_SESSION_KEY] = {"id": recording.pk, "submission": submission_id}
    return JsonResponse({"length": recording.length})


def held_for(request, submission_id):
    """The recording this session holds for the form ``submission_id``, if it is still held."""
    held = request.session.get(HELD_RECORDING_SESSION_KEY)
    if not held or held.get("submission") != submission_id:
        return None
    return Recording.objects.held().filter(pk=held["id"]).first()


def refused(form):
    """The first error, as the narrator reads it, with the status the share form would answer."""
    field = "recording" if "recording" in form.errors else next(iter(form.errors))
    error = form.errors.as_data()[field][0]
    status = REFUSED_STATUS.get(error.code, 400)
    return JsonResponse({"error": " ".join(error.messages)}, status=status)
