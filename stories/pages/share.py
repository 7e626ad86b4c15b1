"""Sharing a story: the first page, the steps of the form, held recordings, the thank-you page.

The steps themselves are defined in ``share_steps.py``; the last one, where the
story is checked and sent, is ``share_check.py``.
"""

import functools
import logging

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.text import capfirst

from ..models import ConsentText, QuestionPrompt, Recording
from ..opendata import records
from ..safety import limits
from ..services import was_submitted
from .card import keep_for_card
from .forms import BODY_MIN_LENGTH, ShareForm
from .guards import private
from .share_steps import NOT_KEPT, RECORD, STEPS, STEPS_BY_SLUG, STORY, WRITE, Draft

logger = logging.getLogger(__name__)

# The session key that carries a new story's private token to the thank-you
# page: never in a URL, where a cache, a log or a referrer could keep it.
WITHDRAWAL_TOKEN_SESSION_KEY = "withdrawal_token"


def kept_when_not_saved(view):
    """A share page that, posted to a database that does not answer, says the story was not saved.

    That page shows back what the post carried (from the post itself: the
    form needs the database to render), rendered without the request, as the
    503 page is. It is never a bare 500. The answers of earlier steps wait in
    the draft, in the session, for when the database answers again.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (OperationalError, InterfaceError):
            if request.method != "POST":
                raise  # nothing typed to keep: the 503 page
            logger.exception("A story could not be saved: the database did not answer.")
            return story_not_saved(words_typed(request))

    return private(wrapper)


# What the not-saved page shows back: the narrator's words (not their email or name).
KEPT_WHEN_NOT_SAVED = ("title", "summary", "body", "content_note", "narrator_descriptor", "place")


def words_typed(request):
    """What this post carried, over the draft's answers when the session can still be read."""
    typed = {}
    try:
        draft = Draft.of(request)
    except (OperationalError, InterfaceError):  # the sessions are in the database that is away
        draft = None
    if draft is not None:
        typed.update(draft.form_data().dict())
    typed.update(request.POST.dict())
    return typed


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


@kept_when_not_saved
def share(request):
    """The first page: what happens to a story, and the choice to record it or write it.

    Both choices are buttons of one small form, equal in size and place: the
    choice begins a draft (or changes the way the draft is told) and opens
    the first step. A narrator with a story in progress may go on with it, or
    start again, which erases it.
    """
    draft = Draft.of(request)
    if request.method == "POST":
        if "start_again" in request.POST:
            forget_draft(request)
            return redirect("stories:share")
        telling = request.POST.get("telling")
        if telling in (RECORD, WRITE):
            if draft is None:
                draft = Draft.begin(request, telling)
            else:
                draft.telling = telling
            return redirect(step_url(STORY))
    return render(
        request,
        "stories/share_start.html",
        {"draft": draft, "steps": STEPS, "minutes": settings.RECORDING_MAX_SECONDS // 60},
    )


@kept_when_not_saved
def share_step(request, slug):
    """One step of the form: shown with what was kept, then kept again and checked.

    Continue checks only this step's answers and opens the next step; Back
    keeps what was typed, checked or not, and opens the one before. The last
    step, where the story is checked and sent, is ``check_and_send``.
    """
    step = STEPS_BY_SLUG.get(slug)
    if step is None:
        raise Http404("No such step.")
    draft = Draft.of(request)
    if draft is None:
        return draft_gone(request, step)
    if not draft.may_open(step):
        return redirect(step_url(draft.first_to_do()))
    consent = ConsentText.objects.current()
    held, lost = held_recording(request, draft)
    if request.method != "POST":
        form = share_form(request, draft, consent, held, lost, bound=False)
        return render_step(request, draft, step, form)
    draft.keep(request.POST, step.fields)
    form = share_form(request, draft, consent, held, lost)
    form.is_valid()
    hold_recording(request, draft, form)
    if request.POST.get("telling") in (RECORD, WRITE):
        draft.telling = request.POST["telling"]
        return redirect(step_url(step))
    if "back" in request.POST:
        return redirect(step_url(STEPS[step.number - 2]) if step.number > 1 else "stories:share")
    errors = errors_of(form, step, lost)
    if not errors:
        draft.done(step)
        return redirect(step_url(STEPS[step.number]))
    return render_step(request, draft, step, form, errors, status=recording_refused_status(form))


def step_url(step):
    return reverse("stories:share-step", args=[step.slug])


def draft_gone(request, step):
    """A step opened or sent with no draft: it was sent, erased, or outlived its time.

    A form posted twice after it was sent goes to the thank-you page, as
    before; anything else starts again, keeping what this post carried.
    """
    if request.method != "POST":
        return redirect("stories:share")
    if was_submitted(request.POST.get("submission_id")):
        return redirect("stories:share-thanks")
    draft = Draft.begin(request, WRITE)
    draft.keep(request.POST, [name for name in step.fields if name in request.POST])
    draft.mark_earlier_lost()
    return redirect(step_url(STORY))


def forget_draft(request):
    """Erase the story in progress and the recording held for it."""
    draft = Draft.of(request)
    if draft is not None:
        held, _lost = held_recording(request, draft)
        if held is not None:
            held.delete()
    request.session.pop(HELD_RECORDING_SESSION_KEY, None)
    Draft.forget(request)


def share_form(request, draft, consent, held, lost, *, bound=True):
    """The one form every step is part of, with everything the draft keeps.

    Bound, it checks all of it (a step shows only its own errors); unbound,
    it shows a step's kept answers without judging them.
    """
    options = {
        "consent": consent,
        "held_recording": held,
        "held_recording_lost": lost,
        "sender": limits.client_key(request),
    }
    if not bound:
        return ShareForm(initial=draft.initial(), **options)
    data = draft.form_data()
    for action in NOT_KEPT & set(request.POST):
        data.setlist(action, request.POST.getlist(action))
    return ShareForm(
        data,
        request.FILES or None,
        may_upload=may_upload_recording(request),
        **options,
    )


def errors_of(form, step, lost=False):
    """The errors this step shows: its own fields', and a held recording lost whatever the step.

    The other steps' answers are judged on their own pages; they are taken
    out of the form, so that neither the summary nor a field shows them.
    """
    shown = set(step.fields) | ({"recording"} if lost else set())
    for name in [name for name in form.errors if name not in shown]:
        del form.errors[name]
    return form.errors


def render_step(request, draft, step, form, errors=None, status=200):
    prompts, prompts_by_perspective = question_prompts() if step is STORY else ([], [])
    return render(
        request,
        f"stories/share/{step.slug}.html",
        {
            "form": form,
            "story_in_progress": True,
            "step": step,
            "steps": STEPS,
            "draft": draft,
            "errors": errors,
            "error_links": error_links(form, step) if errors else [],
            "earlier_lost": draft.take_lost_notice() if step is STORY else False,
            "prompts": prompts,
            "prompts_by_perspective": prompts_by_perspective,
            "with_recording": form.held_recording is not None,
            "body_min_length": BODY_MIN_LENGTH,
        },
        status=status,
    )


def error_links(form, step):
    """(label, first error, link) for the error summary: a field on this page, or its step."""
    links = []
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS:
            links.extend((None, error, None) for error in errors)
            continue
        where = next(s for s in STEPS if name in s.fields)
        anchor = f"#{form[name].auto_id}"
        links.append(
            (form[name].label, errors[0], anchor if where is step else step_url(where) + anchor)
        )
    return links


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


def held_recording(request, draft):
    """The recording held for this draft, or None; and whether it was lost.

    Tied to the draft's one-time submission id as well as the session: on a
    shared computer, the next person to open the form never finds the last
    one's recording. One held past RECORDING_HOLD_SECONDS is lost: deleted,
    or about to be.
    """
    held = request.session.get(HELD_RECORDING_SESSION_KEY)
    if not held or held["submission"] != draft.submission_id:
        return None, False
    recording = Recording.objects.held().filter(pk=held["id"]).first()
    return recording, recording is None


def hold_recording(request, draft, form):
    recording = form.settle_recording()
    if recording is None:
        request.session.pop(HELD_RECORDING_SESSION_KEY, None)
    else:
        request.session[HELD_RECORDING_SESSION_KEY] = {
            "id": recording.pk,
            "submission": draft.submission_id,
        }


def private_address(request, token):
    """The narrator's private link, to their story's private page, in the page's language."""
    return records.absolute_url(request, reverse("stories:private-link", args=[token]))


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
