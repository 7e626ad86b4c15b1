"""The one complex write: a narrator submitting a story."""

from django.conf import settings
from django.db import transaction

from .models import ModerationEvent, Story


@transaction.atomic
def submit_story(*, fields, themes, submitter_hash):
    """Create a pending story with its themes and its first audit record.

    ``fields`` are the story's own model fields as the share form cleaned
    them; the consent version is the one the form showed. Either all of it is
    saved or none of it is.
    """
    story = Story.objects.create(
        **fields,
        status=Story.Status.PENDING,
        consent_given=True,
        consent_version=settings.CONSENT_VERSION,
        submitter_hash=submitter_hash,
    )
    story.themes.set(themes)
    ModerationEvent.objects.create(
        story=story, actor=None, from_status="", to_status=Story.Status.PENDING, note="Submitted"
    )
    return story
