"""The complex writes that start outside the admin: a narrator submitting a story."""

import logging
import secrets
import smtplib

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from .models import ModerationEvent, Story, TaggedTheme, hash_submission_id, hash_withdrawal_token

logger = logging.getLogger(__name__)


class AlreadySubmitted(Exception):
    """This form was sent before (a double click, a reload): its story exists already."""


def submit_story(
    *,
    fields,
    themes,
    submitter_hash,
    consent,
    consent_language,
    submission_id=None,
    recording=None,
):
    """Create a pending story with its themes, its recording and its first audit record.

    ``fields`` are the story's own model fields as the share form cleaned
    them; ``recording`` is a Recording held for the form (or None), checked
    and stripped already; ``consent`` is the ConsentText the form showed, in
    ``consent_language``. Either all of it is saved or none of it is.
    ``submission_id`` is the form's one-time id: sent twice, even at the same
    instant, it makes one story (the second raises ``AlreadySubmitted``).
    Returns the story and its withdrawal token, which exists nowhere else:
    only its hash is stored.
    """
    token = secrets.token_urlsafe(32)
    submission_hash = hash_submission_id(submission_id) if submission_id else None
    try:
        with transaction.atomic():
            story = Story.objects.create(
                **fields,
                status=Story.Status.PENDING,
                consent=consent,
                consent_language=consent_language,
                consent_given_at=timezone.now(),
                submitter_hash=submitter_hash,
                withdrawal_token_hash=hash_withdrawal_token(token),
                submission_hash=submission_hash,
            )
            # A new story has no themes yet: one insert for all of them, not
            # taggit's lookup, savepoint and insert per theme. Under load each
            # round trip waits its turn, and a submission made 25 of them.
            TaggedTheme.objects.bulk_create(
                TaggedTheme(content_object=story, tag=theme) for theme in themes
            )
            if recording is not None:
                recording.attach_to(story)
            ModerationEvent.objects.create(
                story=story,
                actor=None,
                from_status="",
                to_status=Story.Status.PENDING,
                note=gettext_noop("Submitted"),
            )
    except IntegrityError:
        if was_submitted(submission_id):
            raise AlreadySubmitted from None
        raise
    return story, token


def was_submitted(submission_id):
    """Whether a story was made from the form with this one-time id."""
    if not submission_id:
        return False
    return Story.objects.filter(submission_hash=hash_submission_id(submission_id)).exists()


def email_private_link(story, link, language):
    """Send the narrator the link to their story's private page, in the form's language.

    The story is saved already and the thank-you page shows the link anyway,
    so a mail server that is down must not turn the narrator's submission
    into an error page (and a second submission): the failure is logged,
    without the address or the message, whose link can withdraw the story.
    """
    with translation.override(language):
        context = {"link": link, "notify": story.notify_decision}
        subject = render_to_string("stories/email/private_link_subject.txt", context).strip()
        body = render_to_string("stories/email/private_link_body.txt", context)
    try:
        send_mail(subject, body, None, [story.contact_email])
    except (OSError, smtplib.SMTPException) as error:
        logger.error(
            "Could not email story %s its private link: %s", story.pk, type(error).__name__
        )
