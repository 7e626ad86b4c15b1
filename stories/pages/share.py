"""Sharing a story: the form, the identity shield's review, held recordings, the thank-you page."""

import dataclasses
import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import get_language

from ..models import ConsentText, QuestionPrompt, Recording
from ..opendata import records
from ..safety import limits, shield
from ..services import AlreadySubmitted, email_private_link, submit_story, was_submitted
from .card import keep_for_card
from .forms import ShareForm
from .guards import over_limit, private
from .preview import narrator_preview

logger = logging.getLogger(__name__)

# The session key that carries a new story's private token to the thank-you
# page: never in a URL, where a cache, a log or a referrer could keep it.
WITHDRAWAL_TOKEN_SESSION_KEY = "withdrawal_token"


@private
def share(request):
    """The submission form (``share_form``), and what a narrator sees if saving fails.

    A post that meets a database that does not answer, at any point, gets a
    page saying the story was not saved that shows back what they typed (from
    the post itself: the form needs the database to render), rendered without
    the request, as the 503 page is. It is never a bare 500.
    """
    try:
        return share_form(request)
    except (OperationalError, InterfaceError):
        if request.method != "POST":
            raise  # nothing typed to keep: the 503 page
        logger.exception("A story could not be saved: the database did not answer.")
        return story_not_saved(request.POST)


# What the not-saved page shows back: the narrator's words (not their email or name).
KEPT_WHEN_NOT_SAVED = ("title", "summary", "body", "content_note", "narrator_descriptor", "place")


def story_not_saved(posted):
    fields = ShareForm.base_fields
    typed = [
        (capfirst(fields[name].label), posted[name], 14 if name == "body" else 3)
        for name in KEPT_WHEN_NOT_SAVED
        if posted.get(name, "").strip()
    ]
    response = HttpResponse(
        loader.get_template("stories/share_not_saved.html").render({"typed": typed}), status=503
    )
    response["Retry-After"] = "30"
    return response


def share_form(request):
    """The submission form; then, if the identity shield finds anything, a review step.

    The review is the same form again, every field kept, with the findings
    listed above it: the narrator edits and checks again, or sends anyway.
    A recording sent with the form is held on the server meanwhile, for this
    session and this form only, and never asked for again. A sent story is
    followed by a redirect to the thank-you page, so a reload never submits twice.
    """
    consent = ConsentText.objects.current()
    held, lost = held_recording(request)
    form = ShareForm(
        request.POST or None,
        request.FILES or None,
        consent=consent,
        held_recording=held,
        held_recording_lost=lost,
        may_upload=may_upload_recording(request),
        sender=limits.client_key(request),
    )
    findings, removal = [], None
    if request.method == "POST":
        valid = form.is_valid()
        hold_recording(request, form)
        if valid:
            if form.is_spam:
                return redirect("stories:share-thanks")
            if "remove" in request.POST:
                form, removal = remove_finding(request, form, consent)
                valid = form.is_valid()
        if valid:
            findings = form.shield_findings()
            if removal is None and (not findings or "send_anyway" in request.POST):
                return send_story(request, form, consent, findings)
    prompts, prompts_by_perspective = question_prompts()
    return render(
        request,
        "stories/share.html",
        {
            "form": form,
            "consent": consent,
            "consent_blocks": consent.blocks(get_language()),
            "consent_summary": consent.summary_blocks(get_language()),
            "prompts": prompts,
            "prompts_by_perspective": prompts_by_perspective,
            "findings": [shown_in_context(form, finding) for finding in findings],
            "removal": removal,
            "preview": narrator_preview(form.cleaned_data) if removal or findings else None,
        },
        status=recording_refused_status(form),
    )


@dataclasses.dataclass
class Removal:
    """What "Remove it for me" did: the finding it took out and what stands there now."""

    finding: shield.Finding | None  # None: the text had changed, and nothing was removed
    field: object = None  # the bound form field it was in
    placeholder: str = ""


def remove_finding(request, form, consent):
    """The review step's "Remove it for me": the same form, one detail replaced, checked again.

    The button names the finding by field and offsets (``Finding.key``), never
    by its value. The recording held for the form stays held.
    """
    removed = form.without_finding(request.POST["remove"])
    if removed is None:
        return form, Removal(None)
    data, finding = removed
    again = ShareForm(
        data,
        consent=consent,
        held_recording=form.held_recording,
        sender=limits.client_key(request),
    )
    with translation.override(form.cleaned_data["language"]):
        placeholder = str(shield.PLACEHOLDERS[finding.kind])
    return again, Removal(finding, again[finding.field], placeholder)


def question_prompts():
    """The active prompts for everyone, and ``[(perspective, prompts)]`` in display order.

    One query; shown beside the story box to help a narrator begin.
    """
    general, by_perspective = [], {}
    for prompt in QuestionPrompt.objects.shown():
        if prompt.perspective is None:
            general.append(prompt)
        else:
            by_perspective.setdefault(prompt.perspective, []).append(prompt)
    grouped = sorted(by_perspective.items(), key=lambda item: (item[0].display_order, item[0].pk))
    return general, grouped


# A form sent back for its recording alone, over a limit: the status says which
# kind of limit (this client's, or the whole archive's); the page is the form,
# everything typed kept, the error beside the recording field.
RECORDING_REFUSED_STATUS = {"rate_limited": 429, "held_by_client": 429, "held_in_all": 503}


def recording_refused_status(form):
    for code, status in RECORDING_REFUSED_STATUS.items():
        if form.has_error("recording", code):
            return status
    return 200


# The session key under which a recording waits for the form it was sent with.
HELD_RECORDING_SESSION_KEY = "held_recording"


def may_upload_recording(request):
    """Whether this client may send one more recording (each is checked and kept at once).

    Counted only when a recording comes with the post; over the limit, the
    form refuses the recording alone and keeps everything typed.
    """
    if request.method != "POST" or not request.FILES.get("recording"):
        return True
    period = settings.SHARE_RATE_PERIOD
    limit = settings.RECORDING_UPLOAD_RATE_LIMIT
    return limits.hit(request, scope="recording", limit=limit, period=period).allowed


def held_recording(request):
    """The recording held for the form this POST comes from, or None; and whether it was lost.

    Tied to the form's one-time submission id as well as the session: on a
    shared computer, the next person to open the form never finds the last
    one's recording. One held past RECORDING_HOLD_SECONDS is lost: deleted,
    or about to be.
    """
    held = request.session.get(HELD_RECORDING_SESSION_KEY)
    if request.method != "POST" or not held:
        return None, False
    if held["submission"] != request.POST.get("submission_id"):
        return None, False
    recording = Recording.objects.held().filter(pk=held["id"]).first()
    return recording, recording is None


def hold_recording(request, form):
    recording = form.settle_recording()
    if recording is None:
        request.session.pop(HELD_RECORDING_SESSION_KEY, None)
    else:
        request.session[HELD_RECORDING_SESSION_KEY] = {
            "id": recording.pk,
            "submission": request.POST.get("submission_id"),
        }


@dataclasses.dataclass
class FindingInContext:
    finding: shield.Finding
    field: object  # the bound form field it was found in
    excerpt: str  # safe HTML: the text around it, escaped, the finding marked


def shown_in_context(form, finding):
    """A finding with some of the text around it, so the narrator sees where it is."""
    return FindingInContext(
        finding=finding,
        field=form[finding.field],
        excerpt=shield.excerpt(form.cleaned_data[finding.field], finding),
    )


def private_address(request, token):
    """The narrator's private link, to their story's private page, in the page's language."""
    return records.absolute_url(request, reverse("stories:private-link", args=[token]))


def send_story(request, form, consent, findings):
    submission_id = form.cleaned_data["submission_id"]
    if was_submitted(submission_id):
        # The same form again (a double click, a reload): one story, the same page.
        return redirect("stories:share-thanks")
    refused = over_limit(request, scope="share", limit=settings.SHARE_RATE_LIMIT)
    if refused:
        return refused
    language = get_language()
    fields = form.story_fields()
    # The kinds of what the narrator sent anyway, for moderators; never the values again.
    # Empty: sent with nothing found (None is a story from before this was recorded).
    fields["sent_with_findings"] = [finding.kind for finding in findings]
    try:
        story, token = submit_story(
            fields=fields,
            themes=form.cleaned_data["themes"],
            recording=form.held_recording,
            submitter_hash=limits.client_key(request),
            consent=consent,
            consent_language=language,
            submission_id=submission_id,
        )
    except AlreadySubmitted:  # sent twice at the same instant: the other one made it
        return redirect("stories:share-thanks")
    request.session.pop(HELD_RECORDING_SESSION_KEY, None)
    request.session[WITHDRAWAL_TOKEN_SESSION_KEY] = token
    if story.contact_email:
        email_private_link(story, private_address(request, token), language)
    return redirect("stories:share-thanks")


@private
def share_thanks(request):
    """The private link, shown once: a reload or a shared screen later finds none.

    Its card (``card.py``) can be saved from this session for a while after.
    """
    token = request.session.pop(WITHDRAWAL_TOKEN_SESSION_KEY, None)
    link = None
    if token:
        link = private_address(request, token)
        keep_for_card(request, link)
    return render(request, "stories/share_thanks.html", {"private_link": link})
