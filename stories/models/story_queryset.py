"""
The questions asked of many stories at once (``StoryQuerySet``, Story's
manager), above all ``published()``: the one gateway every public road reads
through.

Story's module imports this one, so the workflow's statuses are read here
from the queryset's own model (``self.model.Status``).
"""

import datetime
from collections import Counter

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import (
    Aggregate,
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Concat, JSONObject
from django.utils import timezone

from .aggregates import JSONRows
from .claims import ReviewClaim
from .index_segments import IndexSegment
from .places import places_from_counts
from .recording import Recording, TranscriptSegment, Voice, forget_files
from .shielding import ShieldWaiver
from .taxonomy import Perspective, TaggedTheme


def review_promise():
    """How soon narrators are told a moderator reads their story (PROMISED_REVIEW_DAYS)."""
    return datetime.timedelta(days=settings.PROMISED_REVIEW_DAYS)


class JoinedWithSpaces(Aggregate):
    """The values of a group in one text, a space between each (none of them holding one)."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s, ' ')"
    output_field = models.TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra_context)


class Seconds(Func):
    """A duration in seconds. SQLite keeps a duration as a count of microseconds."""

    template = "(%(expressions)s / 1000000.0)"
    output_field = models.FloatField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)", **extra_context
        )


def index_rows():
    """Each story's index segments as JSON rows (``ShieldedStory.index_read_ahead``)."""
    segment = JSONObject(
        id="id",
        start=Seconds("start"),
        **{name: name for name in IndexSegment.SHIELDED_FIELDS},
    )
    return _per_story(IndexSegment.objects, JSONRows(segment))


def _per_story(queryset, aggregate):
    """``aggregate`` over the rows of ``queryset`` that belong to the outer story."""
    return Subquery(
        queryset.filter(story=OuterRef("pk"))
        .order_by()
        .values("story")
        .annotate(value=aggregate)
        .values("value")
    )


class StoryQuerySet(models.QuerySet):
    # Set by published() on the set of every public story, nothing left out.
    # Narrowing it makes a new queryset, which does not carry the mark.
    is_every_public_story = False

    def visible_now(self):
        """What makes a story visible: approved, its publication time (an embargo's date) past.

        The rule's one statement as a query; ``Story.visible_with()`` is its one
        statement for a story in hand.
        """
        return Q(status=self.model.Status.APPROVED, published_at__lte=timezone.now())

    def published(self):
        """The one gateway for every public road: approved and past its publication time."""
        stories = self.filter(self.visible_now())
        # Search counts the matches among every public story in its index alone (search/sqlite.py).
        stories.is_every_public_story = not self.query.has_filters()
        return stories

    def awaiting_publication(self):
        """Approved, their publication time (an embargo's date) still to come: the other side
        of ``visible_now()`` among approved stories."""
        return self.filter(status=self.model.Status.APPROVED, published_at__gt=timezone.now())

    def once_visible(self):
        """Stories readers saw at some time: visible now, or seen before they left the site.

        The one rule for what leaves a trace: only these are OAI-PMH records
        (deleted ones once they have left), and only a withdrawn one of these
        answers 410; any other story answers as an unknown one would
        (``Story.first_visible_at``).
        """
        return self.filter(self.visible_now() | Q(first_visible_at__isnull=False))

    def withdrawn_after_publication(self):
        """Withdrawn stories that readers once saw: their address answers 410 Gone."""
        return self.once_visible().filter(status=self.model.Status.WITHDRAWN)

    def with_private_link(self, token_hashes):
        """The stories whose private links (their hashes) these are, whatever their status.

        By hash: the narrator's session keeps only the hash of a link opened.
        A link works until its story is erased, which empties its hash.
        """
        # An empty hash is an erased story's (or one sent without a link): never a match.
        return self.filter(withdrawal_token_hash__in=[hashed for hashed in token_hashes if hashed])

    def withdrawable_with(self, token_hashes):
        """The pending or approved stories these private links (their hashes) can withdraw."""
        return self.with_private_link(token_hashes).filter(
            status__in=[self.model.Status.PENDING, self.model.Status.APPROVED]
        )

    def due_for_erasure(self):
        """Withdrawn and rejected stories kept long enough: their text is to be erased.

        Withdrawn ones after a grace period (a narrator who withdrew by mistake
        can still ask for the story back); rejected ones once a moderator has
        had time to reconsider. Counted from the withdrawal, or from the last
        rejection in the story's history.
        """
        now = timezone.now()
        rejected_at = (
            # ModerationEvent from the app registry: moderation.py imports Story.
            apps.get_model("stories", "ModerationEvent")
            .objects.filter(story=OuterRef("pk"), to_status=self.model.Status.REJECTED)
            .order_by("-created_at")
            .values("created_at")[:1]
        )
        withdrawn_before = now - datetime.timedelta(days=settings.WITHDRAWN_TEXT_GRACE_DAYS)
        rejected_before = now - datetime.timedelta(days=settings.REJECTED_TEXT_RETENTION_DAYS)
        return (
            self.filter(erased_at=None)
            .annotate(rejected_at=Subquery(rejected_at))
            .filter(
                Q(status=self.model.Status.WITHDRAWN, withdrawn_at__lte=withdrawn_before)
                | Q(status=self.model.Status.REJECTED, rejected_at__lte=rejected_before)
            )
        )

    def review_queue(self):
        """Stories waiting for review, oldest first, so the overdue ones come first."""
        return self.filter(status=self.model.Status.PENDING).order_by("submitted_at", "pk")

    def overdue(self):
        """Stories waiting for review longer than narrators were promised (``review_promise``)."""
        return self.filter(
            status=self.model.Status.PENDING, submitted_at__lt=timezone.now() - review_promise()
        )

    def not_claimed_by_others_than(self, moderator):
        """These stories, less those another moderator is reviewing now (``ReviewClaim``)."""
        return self.exclude(
            pk__in=ReviewClaim.objects.held_by_others_than(moderator).values("story")
        )

    def with_review_signs(self):
        """Each story with what tells a moderator its risk and time, counted in the same query.

        ``open_report_count``, ``recording_to_hear`` (one not cleared yet),
        ``review_due_at`` (when narrators were told to expect it) and ``overdue``
        (pending past that). The claim on each, with its moderator, is read
        alongside by ``select_related("review_claim__moderator")``, chosen by
        the caller: the admin's list applies its own ``list_select_related``
        only to a query that has none yet.
        """
        reports = (
            apps.get_model("stories", "Report")
            .objects.open()
            .filter(story=OuterRef("pk"))
            .order_by()
            .values("story")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(
            open_report_count=Coalesce(Subquery(reports), 0),
            recording_to_hear=Exists(
                Recording.objects.filter(story=OuterRef("pk"), cleared_at=None)
            ),
            review_due_at=ExpressionWrapper(
                F("submitted_at") + review_promise(), output_field=models.DateTimeField()
            ),
            overdue=ExpressionWrapper(
                Q(
                    status=self.model.Status.PENDING,
                    submitted_at__lt=timezone.now() - review_promise(),
                ),
                output_field=BooleanField(),
            ),
        )

    def for_review(self):
        """Stories as the review page reads one: the rows it shows, its transcript and
        waivers, and its review signs, with whether the narrator asked for corrections, so
        that reports and corrections are read only when there are some."""
        corrections = (
            apps.get_model("stories", "ModerationEvent")
            .objects.filter(story=OuterRef("pk"))
            .exclude(narrator_message="")
        )
        return (
            self.select_related(
                "perspective",
                "first_approved_by",
                "recording__cleared_by",
                "review_claim__moderator",
            )
            .prefetch_related(
                "transcript",
                Prefetch("waivers", ShieldWaiver.objects.select_related("waived_by")),
            )
            # Read with the row, as the lists read it: the page's budget has no query to spare.
            .annotate(index_rows=index_rows())
            .with_review_signs()
            .annotate(asked_for_corrections=Exists(corrections))
        )

    def for_listing(self):
        """These stories as cards show them: with their perspective and recording, no themes.

        The search vectors are PostgreSQL's index data: large, and never shown. The
        recording (if any) comes with the row: cards mark stories that have one.
        """
        return self.select_related("perspective", "recording").defer(*self.model.SEARCH_VECTORS)

    def with_themes(self):
        """These stories, each with its themes read ahead (``Story.theme_list``): one query.

        taggit's own prefetch ("themes") also builds a queryset for each story
        as it hands the themes out: 0.2 ms a story, 4 ms for a page of twenty.
        """
        return self.prefetch_related(models.Prefetch("themes", to_attr="themes_read_ahead"))

    def with_shield_review(self):
        """These stories as a list shows their findings (``unresolved_findings()``), with
        no query more: each one's transcript and the keys its waivers match read with its
        row (``ShieldedStory.transcript_read_ahead``, ``waivers_by_key``)."""
        paragraph = JSONObject(
            id="id", start=Seconds("start"), text="text", text_translation="text_translation"
        )
        key = Concat("kind", Value(":"), "field", Value(":"), "fingerprint")
        return self.annotate(
            transcript_rows=_per_story(TranscriptSegment.objects, JSONRows(paragraph)),
            index_rows=index_rows(),
            waiver_keys=_per_story(ShieldWaiver.objects, JoinedWithSpaces(key)),
        )

    def with_public_recording(self):
        """These stories, if readers may hear their recording (``Story.public_recording``).

        Cleared by a moderator, and not a voice its narrator kept private.
        """
        return self.with_cleared_recording().exclude(voice=Voice.PRIVATE)

    def with_cleared_recording(self):
        """These stories, if a moderator cleared their recording: its transcript is public.

        Whatever the narrator chose for the voice (``Story.cleared_recording``).
        """
        return self.filter(recording__cleared_at__isnull=False)

    def counts_by_perspective_and_language(self):
        """{(perspective id, language): how many of these stories}, in one grouped query."""
        rows = (
            self.model.objects.filter(pk__in=self.order_by().values("pk"))
            .values_list("perspective_id", "language")
            .annotate(count=Count("pk"))
            .order_by()
        )
        return Counter({(perspective, language): count for perspective, language, count in rows})

    def delete(self):
        recordings = Recording.objects.using(self.db).filter(story__in=self.values("pk"))
        files = list(recordings.values_list("stored_as", flat=True))
        deleted = super().delete()
        # Their recordings went with them, by cascade, which leaves the files behind.
        forget_files(files, using=self.db)
        return deleted

    def years_happened(self):
        return (
            self.exclude(year_happened=None)
            .order_by("-year_happened")
            .values_list("year_happened", flat=True)
            .distinct()
        )

    def counts_by_year(self):
        """{year it happened: how many of these stories}, in one grouped query."""
        rows = (
            self.exclude(year_happened=None)
            .order_by()
            .values_list("year_happened")
            .annotate(count=Count("pk"))
        )
        return dict(rows)

    def places(self):
        """{place key: Place} for every place these stories name, in one grouped query."""
        rows = self.exclude(place="").order_by().values_list("place").annotate(count=Count("pk"))
        return places_from_counts(rows)

    def in_place(self, place):
        """These stories, if they name ``place`` (a Place) in any of its spellings."""
        return self.filter(place__in=place.spellings)

    def carrying_any_theme_of(self, themes):
        """These stories, if tagged with any of ``themes``; each story once.

        A correlated EXISTS, not a join: a story is checked against its own
        tags as it is read, so a query that wants only the newest few stops
        after finding them.
        """
        tagged = TaggedTheme.objects.filter(content_object=OuterRef("pk"), tag__in=themes)
        return self.filter(Exists(tagged))

    def featured_ids_for(self, language, count):
        """The ids of the ``count`` stories the home page features for readers of ``language``.

        The newest featured stories, where each told in the other language gives
        its place to the newest story of its perspective told in ``language``,
        if that perspective has one: so /es/ features Spanish stories and /
        English ones, as far as the archive has them, with the balance of
        perspectives that moderators chose kept. Two queries at most.
        """
        featured = list(
            self.filter(featured=True).values_list("pk", "perspective_id", "language")[:count]
        )
        elsewhere = {perspective for _, perspective, told_in in featured if told_in != language}
        if not elsewhere:
            return [pk for pk, _, _ in featured]
        newest = self.filter(
            featured=False, language=language, perspective_id=OuterRef("pk")
        ).order_by("-published_at", "-pk")
        stand_ins = dict(
            Perspective.objects.filter(pk__in=elsewhere)
            .annotate(stand_in=Subquery(newest.values("pk")[:1]))
            .values_list("pk", "stand_in")
        )
        # Each stand-in once, should two featured stories share a perspective.
        return [
            (stand_ins.pop(perspective, None) if told_in != language else None) or pk
            for pk, perspective, told_in in featured
        ]

    def newest_ids_per_perspective(self, count, perspective_ids):
        """{perspective id: the ids of its ``count`` newest of these stories, newest first},
        in the perspectives' display order, one query."""
        ranks = self.newest_per_perspective(count)
        rows = (
            Perspective.objects.filter(pk__in=perspective_ids)
            .annotate(**ranks)
            .values_list("pk", *ranks)
        )
        return {perspective: [pk for pk in ids if pk is not None] for perspective, *ids in rows}

    def newest_per_perspective(self, count):
        """For a query of perspectives: {``newest_<k>``: the id of the perspective's k-th newest
        of these stories (or None)}, a subquery each, for ``annotate()``.

        Each reads that perspective's stories newest first (story_persp_idx) and stops at the
        k-th. Numbering every story of the set instead (a window function) read all of them:
        0.1 to 0.3 s at 100,000 stories.
        """
        newest = self.filter(perspective_id=OuterRef("pk")).order_by("-published_at", "-pk")
        return {f"newest_{k}": Subquery(newest.values("pk")[k : k + 1]) for k in range(count)}
