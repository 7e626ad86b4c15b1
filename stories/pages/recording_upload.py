"""
A recording sent ahead of its form, in the background (static/js/recorder.js).

On a phone, a connection can drop between recording and sending: the
recorder uploads the recording as soon as it stops (or a file is picked),
retrying until it arrives, and this view holds it on the server for the form
exactly as the form itself would (``hold_for_form``, the same rate limit).
It is held for the session's story in progress (``share_steps.Draft``), and the
steps find it under the same session key, for the draft's submission id. Answers are JSON, their
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
from .share_steps import Draft

# The form's answers for a recording it refuses over a limit; anything else refused is a 400.
REFUSED_STATUS = {"rate_limited": 429, "held_by_client": 429, "held_in_all": 503}

# The share form's own words for the same refusal (stories/pages/forms.py), so one translation.
RATE_LIMITED = _(
    "You have sent several recordings in a short time. Send your story "
    "without one, or try again in an hour."
)


# With no story in progress there is nothing to hold it for: the recorder keeps the
# recording in the form, which sends it with the step (409: the file stays on the page).
NO_DRAFT = _(
    "We could not find your story in progress: the page was open a long time, or the "
    "browser was closed. Your recording stays on this page and goes with it when you "
    "continue."
)


class RecordingUploadForm(forms.Form):
    recording = RecordingField()

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
    """Hold an uploaded recording for the story in progress; JSON ``{"length": "0:20"}``.

    A recording already held for the same draft is replaced, and deleted.
    """
    draft = Draft.of(request)
    if draft is None:
        return JsonResponse({"error": str(NO_DRAFT)}, status=409)
    form = RecordingUploadForm(
        request.POST, request.FILES, may_upload=may_upload_recording(request)
    )
    if not form.is_valid():
        return refused(form)
    submission_id = draft.submission_id
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
