"""
What a narrator hears back about their story: whether they asked to be
emailed when a moderator decides, the decision notice itself, a rejection's
reason in the narrator's words, and the corrections they asked for.

``HearingBack`` is an abstract base of ``Story`` (story.py): the workflow
(``Story._change_status``) calls ``plan_decision_notice()`` inside its
transaction, and the notice goes once that transaction commits, so a
moderator never waits for a mail server. A notice that could not go stays
due (``decision_notice_due``, the time it became due) and the daily
``purge_private_data`` tries again (``send_due_notices``). The address is
kept until the notice is sent, then erased as approval erases it
(docs/privacy.md).
"""

import datetime
import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

logger = logging.getLogger(__name__)

# The statuses a moderator decides; a narrator who asked hears of both.
DECIDED = ("approved", "rejected")

# What a notice that could not go is retried for, by the daily purge; then
# the address is erased as if it had gone, rather than kept for ever.
NOTICE_RETRY_DAYS = 7

# ModerationEvent.RejectionReason, as the narrator reads it (on the private
# page and in the notice): plain words, no moderators' shorthand.
REASONS_FOR_THE_NARRATOR = {
    "off_topic": _(
        "This archive collects stories about life under the city's sanctuary policies, "
        "and your story is about something else."
    ),
    "identifies_someone": _("Your story could identify someone who has not agreed to be in it."),
    "not_first_hand": _("The archive publishes what people lived or saw themselves."),
    "hate": _("Your story contains hate, harassment or a threat."),
    "spam": _("Your story looked like advertising."),
    "duplicate": _("The same story is already in the archive."),
    "other": _("The moderator had another reason."),
}


class HearingBack(models.Model):
    notify_decision = models.BooleanField(
        _("email when decided"),
        default=False,
        help_text=_("The narrator asked to be emailed when a moderator decides."),
    )
    decision_notice_due = models.DateTimeField(
        _("decision notice due since"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("A decision notice not sent yet: the daily purge tries again."),
    )

    class Meta:
        abstract = True

    def plan_decision_notice(self):
        """Mark the decision notice due, and send it once the transaction commits.

        Called by the workflow with the new status set and the row locked. Only
        for a narrator who asked, with an address: approval then keeps the
        address until the notice has gone (``Story.approve``).
        """
        if self.status not in DECIDED or not (self.notify_decision and self.contact_email):
            return
        self.decision_notice_due = timezone.now()
        stories, pk = type(self)._default_manager, self.pk
        transaction.on_commit(lambda: send_decision_notice(stories.filter(pk=pk).first()))

    def latest_rejection(self):
        """The event of the last rejection (not a later line: a correction asked), or None."""
        rejections = self.events.filter(to_status="rejected").exclude(from_status="rejected")
        return rejections.order_by("created_at", "pk").last()

    def ask_for_correction(self, message):
        """Record the narrator's request to moderators (already checked by the identity shield).

        A line of the story's history with no actor (the narrator), its status
        unchanged; its words are private, and erased with the story's.
        """
        return self.record_event(
            gettext_noop("Correction asked for by the narrator"),
            by=None,
            narrator_message=message,
        )

    def corrections_asked(self):
        return self.events.exclude(narrator_message="").order_by("created_at", "pk")


def send_decision_notice(story, *, last_try=False):
    """Email the narrator that a moderator decided, if it is due; whether it is settled.

    In the language they read the consent in. Logged on failure with the
    story's number and the error's kind only: never the address or the words.
    Once sent (or on the ``last_try``) it is no longer due, and an approved
    story's address is erased unless the narrator agreed to be contacted.
    """
    if story is None or story.decision_notice_due is None:
        return True
    if story.status in DECIDED and story.contact_email:
        try:
            send_mail(*notice_text(story), None, [story.contact_email])
        except (OSError, smtplib.SMTPException) as error:
            logger.error(
                "Could not send story %s its decision notice: %s", story.pk, type(error).__name__
            )
            if not last_try:
                return False
    settled = {"decision_notice_due": None}
    if story.status == "approved" and not story.may_contact:
        settled["contact_email"] = ""
    # An update, not a save: no version is raised under a moderator's open form.
    type(story)._default_manager.filter(pk=story.pk).update(**settled)
    for field, value in settled.items():
        setattr(story, field, value)
    return True


def send_due_notices(stories):
    """Try again the notices of ``stories`` still due (the daily purge); how many went."""
    give_up_before = timezone.now() - datetime.timedelta(days=NOTICE_RETRY_DAYS)
    sent = 0
    for story in stories.filter(decision_notice_due__isnull=False).iterator():
        sent += send_decision_notice(story, last_try=story.decision_notice_due < give_up_before)
    return sent


def notice_text(story):
    """The notice's subject and body, in the narrator's language. Nothing of the story's text."""
    with translation.override(story.consent_language or story.language):
        context = {"story": story, "site": settings.SITE_URL}
        if story.status == "approved":
            context["link"] = settings.SITE_URL + story.get_absolute_url()
            context["later"] = story.published_at > timezone.now()
        else:
            rejection = story.latest_rejection()
            context["reason"] = REASONS_FOR_THE_NARRATOR.get(rejection.reason if rejection else "")
            context["note"] = rejection.note_to_narrator if rejection else ""
        subject = render_to_string("stories/email/decision_subject.txt", context).strip()
        body = render_to_string("stories/email/decision_body.txt", context)
    return subject, body
