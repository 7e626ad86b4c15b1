"""The narrator's private page: their private link, what became of the story, a correction.

The private link (``/my-story/<token>/``, and ``/withdraw/<token>/`` as emailed
before) is used once as an address: its token moves into the session, as the
hash the database keeps, and the browser goes on to ``/my-story/``, so no later
request, referrer or log line carries it (docs/privacy.md). Withdrawing is
``withdraw.py``; the card with the link and a QR code is ``card.py``.

The narrator's licence may be changed here only to a more restrictive one
(docs/reuse.md, "A licence per story"), as the voice may only be made private.
"""

import datetime

from django import forms
from django.conf import settings
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from ..models import Licence, Story, hash_withdrawal_token
from ..models.notices import REASONS_FOR_THE_NARRATOR
from ..safety import shield
from .choices import LicenceChoiceField
from .guards import over_limit, private

# The hashes of the private links opened in this session, the latest last
# (docs/privacy.md): a few, for a narrator with several stories.
PRIVATE_LINKS_SESSION_KEY = "private_links"
PRIVATE_LINKS_KEPT = 5
CORRECTION_SENT_SESSION_KEY = "correction_sent"
VOICE_KEPT_SESSION_KEY = "voice_kept_private"
LICENCE_RESTRICTED_SESSION_KEY = "licence_restricted"

# The status as the narrator reads it (status_of), in a few words.
STATE_LABELS = {
    "waiting": _("waiting for review"),
    "published": _("published"),
    "approved_later": _("approved, not shown yet"),
    "declined": _("not published"),
    "withdrawn": _("withdrawn"),
}


def private_link(request, token):
    """The narrator's private link, used once as an address.

    Every token gets this same answer, right, used or wrong; the page it leads
    to tells them apart, and counts the wrong ones.
    """
    remember_link(request, hash_withdrawal_token(token))
    response = redirect("stories:my-story")
    add_never_cache_headers(response)
    # Nor does the address that sent the narrator here (a webmail's) go any further.
    response["Referrer-Policy"] = "no-referrer"
    return response


def remember_link(request, opened):
    earlier = [link for link in opened_links(request) if link != opened]
    request.session[PRIVATE_LINKS_SESSION_KEY] = [*earlier, opened][-PRIVATE_LINKS_KEPT:]
    # Forgotten when the browser closes: the next person at a shared computer
    # must not find the private page waiting at /my-story/.
    request.session.set_expiry(0)


def opened_links(request):
    return request.session.get(PRIVATE_LINKS_SESSION_KEY, [])


def story_of_latest_link(request):
    # With its licence: the page states it.
    latest = opened_links(request)[-1:]
    return Story.objects.with_private_link(latest).select_related("licence").first()


def story_named_in_post(request, stories):
    """Of ``stories`` (those of this session's links), the one the posted form names."""
    chosen = request.POST.get("story")
    return next((story for story in stories if str(story.pk) == chosen), None)


def link_does_not_work(request):
    """The one page for a wrong, erased or missing link; wrong guesses are counted."""
    refused = over_limit(request, scope="withdraw", limit=settings.WITHDRAW_RATE_LIMIT)
    return refused or render(request, "stories/withdraw_invalid.html", status=404)


@private
def my_story(request):
    """What became of the story of the latest link opened, and what the narrator may do."""
    story = story_of_latest_link(request)
    if story is None:
        return link_does_not_work(request)
    return my_story_page(request, story)


def my_story_page(request, story, *, licence_form=None, status=200):
    state = status_of(story)
    if licence_form is None and story.status != Story.Status.WITHDRAWN:
        licence_form = RestrictLicenceForm(story=story)
    return render(
        request,
        "stories/my_story.html",
        {
            **state,
            "state_label": STATE_LABELS[state["state"]],
            "story": story,
            "corrections": story.corrections_asked(),
            "correction_sent": request.session.pop(CORRECTION_SENT_SESSION_KEY, False),
            "voice_kept": request.session.pop(VOICE_KEPT_SESSION_KEY, False),
            "licence_restricted": request.session.pop(LICENCE_RESTRICTED_SESSION_KEY, False),
            "may_keep_voice_private": may_keep_voice_private(story),
            "licence_form": licence_form if licence_form and licence_form.has_choices else None,
            # A refusal with nothing left to choose (a wider licence posted to the strictest).
            "licence_refused": licence_form.errors.get("licence", []) if licence_form else [],
            "translated_parts": translated_parts(story),
        },
        status=status,
    )


def translated_parts(story):
    """What of the story the archive has translated into the other language, named for
    the narrator (docs/languages.md, "Translations")."""
    parts = []
    if story.has_written_translation:
        parts.append(_("its title, text or summary"))
    if story.transcript.exclude(text_translation="").exists():
        parts.append(_("the transcript of your recording"))
    translated_index = story.index_segments.exclude(
        title_translation="", synopsis_translation="", keywords_translation=""
    )
    if translated_index.exists():
        parts.append(_("the index of your recording (its parts and their summaries)"))
    return parts


def may_keep_voice_private(story):
    """A recording whose voice readers may hear (or will): the narrator may take that back."""
    has_recording = getattr(story, "recording", None) is not None
    return (
        has_recording and not story.keeps_voice_private and story.status != Story.Status.WITHDRAWN
    )


@private
def keep_voice_private(request):
    """The narrator's voice made private from their page: only a transcript, never the audio.

    A POST naming a story of this session's links; one way only (the model
    method refuses nothing and undoes nothing).
    """
    if request.method != "POST":
        return redirect("stories:my-story")
    story = story_named_in_post(request, Story.objects.with_private_link(opened_links(request)))
    if story is None or not may_keep_voice_private(story):
        return link_does_not_work(request)
    story.keep_voice_private()
    request.session[VOICE_KEPT_SESSION_KEY] = True
    return redirect("stories:my-story")


class RestrictLicenceForm(forms.Form):
    """The offered licences more restrictive than the story's: the only ones it may move to."""

    licence = LicenceChoiceField(
        Licence.objects.none(),
        label=_("Let readers do less"),
        help_text=_(
            "You cannot undo this. Anyone who copied your story under the earlier terms "
            "keeps them: the new terms apply to what readers take from now on."
        ),
    )

    def __init__(self, *args, story, **kwargs):
        super().__init__(*args, **kwargs)
        # An action, not a question the page asks: not marked "required", yet refused empty.
        self.fields["licence"].required = False
        self.story = story
        field = self.fields["licence"]
        field.queryset = Licence.objects.more_restrictive_than(story.licence)
        choices = field.read()
        if len(choices) == 1:
            self.initial.setdefault("licence", choices[0].pk)

    def clean_licence(self):
        licence = self.cleaned_data.get("licence")
        if licence is None:
            raise forms.ValidationError(
                self.fields["licence"].error_messages["required"], code="required"
            )
        return licence

    @property
    def has_choices(self):
        return bool(self.fields["licence"].read())


@private
def restrict_licence(request):
    """The narrator's licence made more restrictive from their page; never wider.

    A POST naming a story of this session's links and one of the offered licences
    more restrictive than its own; anything else is refused with the page and its error.
    """
    if request.method != "POST":
        return redirect("stories:my-story")
    story = story_named_in_post(request, Story.objects.with_private_link(opened_links(request)))
    if story is None or story.status == Story.Status.WITHDRAWN:
        return link_does_not_work(request)
    form = RestrictLicenceForm(request.POST, story=story)
    if form.is_valid():
        try:
            story.restrict_licence(form.cleaned_data["licence"])
        except ValueError:  # changed since the page was shown (another tab): refused
            form.add_error("licence", form.fields["licence"].error_messages["invalid_choice"])
        else:
            request.session[LICENCE_RESTRICTED_SESSION_KEY] = True
            return redirect("stories:my-story")
    return my_story_page(request, story, licence_form=form, status=400)


def status_of(story):
    """The status as the narrator reads it, and what goes with it."""
    Status = Story.Status
    if story.status == Status.APPROVED:
        if story.is_visible:
            return {"state": "published"}
        return {"state": "approved_later"}
    if story.status == Status.REJECTED:
        rejection = story.latest_rejection()
        return {
            "state": "declined",
            "reason": REASONS_FOR_THE_NARRATOR.get(rejection.reason if rejection else ""),
            "note": rejection.note_to_narrator if rejection else "",
            "retention_days": settings.REJECTED_TEXT_RETENTION_DAYS,
        }
    if story.status == Status.WITHDRAWN:
        grace = datetime.timedelta(days=settings.WITHDRAWN_TEXT_GRACE_DAYS)
        erased_by = (story.withdrawn_at or timezone.now()) + grace
        return {"state": "withdrawn", "erased_by": erased_by}
    return {"state": "waiting"}


class CorrectionForm(forms.Form):
    message = forms.CharField(
        label=_("What should the moderators change?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "A few words are enough, for example: “Please remove the name of my street.” "
            "Only the moderators read it."
        ),
    )


@private
def correction(request):
    """Ask the moderators for a correction: a short message, checked by the identity shield.

    As on the share form, what the shield finds is shown before anything is
    sent; the narrator edits it and checks again, or sends it anyway.
    """
    if request.method == "POST":
        story = story_named_in_post(request, Story.objects.with_private_link(opened_links(request)))
    else:
        story = story_of_latest_link(request)
    if story is None or story.status == Story.Status.WITHDRAWN:
        return link_does_not_work(request)
    form = CorrectionForm(request.POST or None)
    findings = []
    if request.method == "POST" and form.is_valid():
        message = form.cleaned_data["message"]
        findings = shield.scan(message, field="message")
        if not findings or "send_anyway" in request.POST:
            refused = over_limit(request, scope="correction", limit=settings.REPORT_RATE_LIMIT)
            if refused:
                return refused
            story.ask_for_correction(message)
            request.session[CORRECTION_SENT_SESSION_KEY] = True
            return redirect("stories:my-story")
    return render(
        request,
        "stories/my_story_correction.html",
        {
            "form": form,
            "story": story,
            "findings": [
                (finding, shield.excerpt(form.cleaned_data["message"], finding))
                for finding in findings
            ],
        },
    )
