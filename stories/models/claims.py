"""
A moderator reviewing a story, for a while (``ReviewClaim``): the desk and the
list show who has it, and *Start with the oldest* and *Next in the queue* send
the others elsewhere. A claim is not a lock: anyone may still decide, and a
decision ends the claim (Story._change_status); two decisions at once are
settled by the story's row lock and its version, as before (locking.py).

The claim is its own row, not fields of the story: a story's every save raises
its version, and opening a review must not outdate a change form another
moderator has open.
"""

import datetime

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .event_notes import TOOK_OVER_NOTE


def claim_length():
    return datetime.timedelta(minutes=settings.REVIEW_CLAIM_MINUTES)


def held_by_another(story, moderator):
    """Whether a moderator other than ``moderator`` is reviewing ``story`` now."""
    claim = getattr(story, "review_claim", None)  # None: no claim row
    return claim is not None and claim.is_current and claim.moderator_id != moderator.pk


class ClaimHeldByAnother(Exception):
    """The review a moderator meant to take over is no longer held by whom they were shown."""


class ReviewClaimQuerySet(models.QuerySet):
    def current(self):
        """Claims not yet expired; the others mean nothing and are replaced on the next claim."""
        return self.filter(expires_at__gt=timezone.now())

    def held_by_others_than(self, moderator):
        return self.current().exclude(moderator=moderator)


class ReviewClaim(models.Model):
    story = models.OneToOneField(
        "stories.Story",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="review_claim",
        verbose_name=_("story"),
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("moderator"),
    )
    claimed_at = models.DateTimeField(_("reviewing since"), default=timezone.now)
    expires_at = models.DateTimeField(_("claimed until"))

    objects = ReviewClaimQuerySet.as_manager()

    class Meta:
        ordering = ["claimed_at"]
        verbose_name = _("review claim")
        verbose_name_plural = _("review claims")

    def __str__(self):
        return f"{self.story_id}: {self.moderator_name}"

    @property
    def moderator_name(self):
        return self.moderator.get_full_name() or self.moderator.get_username()

    @property
    def is_current(self):
        return self.expires_at > timezone.now()

    @property
    def minutes_reviewing(self):
        return int((timezone.now() - self.claimed_at).total_seconds() // 60)

    @classmethod
    def open_review(cls, story, *, by):
        """Claim ``story`` for ``by`` as they open its review; the claim that stands afterwards.

        Unclaimed or expired, it becomes theirs; theirs already, it is renewed
        (still "since" the first opening); someone else's, it stays theirs,
        returned for the page to say so. ``story.review_claim`` is read as
        loaded with the story (select_related): each write below is one
        conditional UPDATE, so two moderators opening it at once cannot both
        take it, and whoever loses is shown the claim that won.
        """
        now = timezone.now()
        expires_at = now + claim_length()
        claim = getattr(story, "review_claim", None)  # None: no claim row
        if claim is None:
            claim = cls(story=story, moderator=by, claimed_at=now, expires_at=expires_at)
            # One INSERT, which a claim written meanwhile turns into nothing (no
            # savepoint to catch an IntegrityError, no second read): in that race
            # of two first openings, the loser's page says it is theirs until it is
            # opened again; the desk and the list show the claim that stands.
            cls.objects.bulk_create([claim], ignore_conflicts=True)
            return claim
        if claim.is_current and claim.moderator_id != by.pk:
            return claim
        if claim.is_current:
            claimed = cls.objects.filter(story=story, moderator=by, expires_at__gt=now)
            changes = {"expires_at": expires_at}
        else:
            claimed = cls.objects.filter(story=story, expires_at__lte=now)
            changes = {"moderator": by, "claimed_at": now, "expires_at": expires_at}
        if not claimed.update(**changes):  # another moderator came first
            return cls.objects.select_related("moderator").get(story=story)
        for field, value in changes.items():
            setattr(claim, field, value)
        return claim

    @classmethod
    def take_over(cls, story, *, by, from_moderator_id):
        """Move the review of ``story`` to ``by``, from the moderator they were shown holding it.

        Recorded in the story's history. Refused (``ClaimHeldByAnother``) if the
        claim changed hands or ended since the page was shown: the moderator
        confirmed taking it from someone in particular.
        """
        now = timezone.now()
        with transaction.atomic():
            claim = cls.objects.select_for_update().current().filter(story=story).first()
            held_by = None if claim is None else claim.moderator_id
            if held_by != from_moderator_id or held_by == by.pk:
                raise ClaimHeldByAnother
            previous = claim.moderator_name
            claim.moderator, claim.claimed_at, claim.expires_at = by, now, now + claim_length()
            claim.save()
            story.record_event(TOOK_OVER_NOTE % {"moderator": previous}, by=by)
        return claim
