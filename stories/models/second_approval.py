"""
Two moderators for the riskiest stories (the setting TWO_MODERATORS_FOR_RISKY_STORIES,
off by default): a story with a waived finding of the identity shield, or a recording
whose voice readers will hear, is published by a second, different moderator's
approval; the first is recorded. An abstract base of ``Story`` (story.py), whose
``approve()`` asks it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .event_notes import FIRST_APPROVAL_NOTE


class SecondApproval(models.Model):
    # The first of the two approvals, cleared whenever the story's status changes.
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("first approved by"),
    )
    first_approved_at = models.DateTimeField(
        _("first approved at"), null=True, blank=True, editable=False
    )

    class Meta:
        abstract = True

    def needs_second_moderator(self):
        """A waiver still in force, or a recording the narrator did not keep private
        (readers hear it once it is cleared), with the setting on."""
        if not getattr(settings, "TWO_MODERATORS_FOR_RISKY_STORIES", False):
            return False
        recording = getattr(self, "recording", None)
        public_voice = recording is not None and not self.keeps_voice_private
        return public_voice or bool(self.shield_review()[1])

    def record_first_approval(self, *, by, note):
        """On the locked row: ``by``'s approval as the first of two, if this story waits
        for two and has none yet. The event, or None."""
        if self.first_approved_by_id is not None or not self.needs_second_moderator():
            return None
        self.first_approved_by, self.first_approved_at = by, timezone.now()
        self.save(update_fields=["first_approved_by", "first_approved_at", "updated_at"])
        return self.record_event(f"{FIRST_APPROVAL_NOTE} {note}".strip(), by=by)

    def second_approval_missing(self, by):
        """Why ``by``'s approval cannot publish this story, if it needs a second, different
        moderator's and this would not be one; "" otherwise."""
        if self.needs_second_moderator() and self.first_approved_by_id in (None, by.pk):
            return _("You gave it its first approval: a second, different moderator publishes it.")
        return ""
