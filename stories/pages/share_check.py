"""
The share form's last step: every answer to check, the identity shield's
findings to act on, the consent, and sending.

The findings come first, each in its context with a "Remove it for me"
button, and the texts they are in can be changed right there; the actions
are directly under them. Nothing is sent until the narrator says so: "Send
my story", or "Send anyway" over findings, which the story records for
moderators ("sent anyway, 2 findings").
"""

import dataclasses

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from ..models import ConsentText, Licence
from ..safety import limits, shield
from ..services import AlreadySubmitted, email_private_link, submit_story, was_submitted
from .forms import SHOW_LATER
from .guards import over_limit
from .preview import narrator_preview
from .share import (
    HELD_RECORDING_SESSION_KEY,
    WITHDRAWAL_TOKEN_SESSION_KEY,
    draft_gone,
    error_links,
    held_recording,
    kept_when_not_saved,
    private_address,
    share_form,
    step_url,
)
from .share_steps import CHECK, DETAILS, STEPS, Draft


@kept_when_not_saved
def check_and_send(request):
    """The last step. Opened, it shows the answers and the findings; it sends only when asked.

    Consent is judged only when the narrator sends: removing a finding or
    checking again before ticking the box is not an error. Any answer an
    earlier step left wrong (a held recording that was lost, say) is listed,
    linked to its step, and stops the sending.
    """
    draft = Draft.of(request)
    if draft is None:
        return draft_gone(request, CHECK)
    if not draft.may_open(CHECK):
        return redirect(step_url(draft.first_to_do()))
    posted = request.POST if request.method == "POST" else {}
    if posted:
        draft.keep(posted, [*CHECK.fields, *edited_here(posted)])
        if "back" in posted:
            return redirect(step_url(DETAILS))
    if not draft.answered("licence"):
        # The archive's default is selected first; the narrator sees it and may choose another.
        default_licence = Licence.objects.default()
        if default_licence is not None:
            draft.keep_values({"licence": str(default_licence.pk)})
    consent = ConsentText.objects.current()
    held, lost = held_recording(request, draft)
    form = share_form(request, draft, consent, held, lost)
    valid = form.is_valid()
    removal = None
    if "remove" in posted:
        form, removal = remove_finding(request, draft, form, consent, held)
        valid = form.is_valid()
    findings = form.shield_findings()
    sending = "send" in posted or "send_anyway" in posted
    if sending and valid:
        if form.is_spam:
            Draft.forget(request)
            return redirect("stories:share-thanks")
        if "send_anyway" in posted or not findings:
            return send_story(request, draft, form, consent, findings)
    if not sending:
        for name in CHECK.fields:
            form.errors.pop(name, None)
    return render(
        request,
        "stories/share/check.html",
        {
            "form": form,
            "story_in_progress": True,
            "step": CHECK,
            "steps": STEPS,
            "draft": draft,
            "errors": form.errors,
            "error_links": error_links(form, CHECK),
            "answers": answers(form),
            "findings": [shown_in_context(form, finding) for finding in findings],
            "edit_here": fields_to_edit(form, findings),
            "removal": removal,
            "checked": removal is not None or "check" in posted,
            "preview": narrator_preview(form.cleaned_data),
            "consent": consent,
            "consent_blocks": consent.blocks(get_language()),
            "consent_summary": consent.summary_blocks(get_language()),
        },
    )


def edited_here(posted):
    """The texts the narrator changed in place, beside the findings (only those shown)."""
    return [name for name in shield.SHIELDED_FIELDS if name in posted]


@dataclasses.dataclass
class Removal:
    """What "Remove it for me" did: the finding it took out and what stands there now."""

    finding: shield.Finding | None  # None: the text had changed, and nothing was removed
    field: object = None  # the bound form field it was in
    placeholder: str = ""


def remove_finding(request, draft, form, consent, held):
    """ "Remove it for me": one detail replaced by its placeholder, kept, and checked again.

    The button names the finding by field and offsets (``Finding.key``), never
    by its value. The recording held for the draft stays held.
    """
    removed = form.without_finding(request.POST["remove"])
    if removed is None:
        return form, Removal(None)
    data, finding = removed
    draft.keep_values({finding.field: data[finding.field]})
    again = share_form(request, draft, consent, held, False)
    with translation.override(form.cleaned_data["language"]):
        placeholder = str(shield.PLACEHOLDERS[finding.kind])
    return again, Removal(finding, again[finding.field], placeholder)


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


def fields_to_edit(form, findings):
    """The texts with a finding in them, in the form's order: edited in place on this page."""
    with_findings = {finding.field for finding in findings}
    return [form[name] for name in shield.SHIELDED_FIELDS if name in with_findings]


@dataclasses.dataclass
class Answer:
    label: str
    value: str
    step: object  # the step where it is changed
    private: bool = False  # never shown to readers


def answers(form):
    """Every answer, as the narrator gave it, in the order of the steps, with the step
    to change it on."""
    from_steps = {name: step for step in STEPS for name in step.fields}
    cleaned = form.cleaned_data
    shown = []

    def add(name, value, private=False):
        if value not in ("", None):
            shown.append(Answer(form[name].label, str(value), from_steps[name], private))

    if form.held_recording is not None and not cleaned.get("remove_recording"):
        add("recording", form.held_recording.length)
    # Its length, not its words: the narrator has just written it, and Change opens it whole.
    if cleaned.get("body"):
        written = len(cleaned["body"])
        add(
            "body",
            ngettext("%(count)s character", "%(count)s characters", written)
            % {"count": number_format(written, force_grouping=True)},
        )
    add("title", cleaned.get("title"))
    add("language", dict(form.fields["language"].choices).get(cleaned.get("language")))
    add("summary", cleaned.get("summary"))
    add("content_note", cleaned.get("content_note"))
    if cleaned.get("perspective"):
        add("perspective", cleaned["perspective"].local_name)
    add("themes", ", ".join(theme.local_name for theme in cleaned.get("themes") or []))
    add("suggested_theme", cleaned.get("suggested_theme"), private=True)
    if form.held_recording is not None and cleaned.get("voice"):
        add("voice", dict(form.fields["voice"].choices)[cleaned["voice"]])
    add("show_from", dict(form.fields["show_from"].choices).get(cleaned.get("show_from")))
    if cleaned.get("show_from") == SHOW_LATER:
        add("embargo_date", cleaned.get("embargo_date"))
    add("contact_email", cleaned.get("contact_email"), private=True)
    if cleaned.get("contact_email"):
        add("notify_decision", _("Yes") if cleaned.get("notify_decision") else _("No"), True)
        add("may_contact", _("Yes") if cleaned.get("may_contact") else _("No"), True)
    return shown


def send_story(request, draft, form, consent, findings):
    submission_id = draft.submission_id
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
    Draft.forget(request)
    request.session[WITHDRAWAL_TOKEN_SESSION_KEY] = token
    if story.contact_email:
        email_private_link(story, private_address(request, token), language)
    return redirect("stories:share-thanks")
