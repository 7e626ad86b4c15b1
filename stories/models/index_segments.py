"""
A recording's index: time-coded segments, as oral-history archives describe a
long interview (the OHMS viewer, Densho). Each segment has a start, a title,
a synopsis, keywords and themes, in the recording's language, each text with an
optional translation by the archive into the other language. A segment tagged
with a theme is a passage on that theme: the theme's page lists it beside the
passages of the other perspectives (docs/listening.md, "The recording's index").

Segments are written by moderators, from the narrator's words: the identity
shield reads them, erasure deletes them, and readers see them only on a
published story whose recording a moderator cleared (``of_stories`` is given
``Story.objects.published()...``, never another queryset).
"""

from django.core.validators import MaxLengthValidator
from django.db import models, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.utils.translation import gettext_lazy as _

from ..recordings import transcripts
from ..safety import privacy
from ..signals import stories_changed_in_bulk
from .aggregates import JSONRows
from .taxonomy import Theme, in_local_order

SYNOPSIS_MAX_LENGTH = 2_000
# A long testimony is indexed every few minutes; a pasted mistake is not kept.
MAX_SEGMENTS = 200


def keyword_list(keywords):
    """Keywords as typed ("raid, school , , bus") as a list (["raid", "school", "bus"])."""
    return [word.strip() for word in keywords.split(",") if word.strip()]


class IndexSegmentQuerySet(models.QuerySet):
    def of_stories(self, stories):
        """The segments of ``stories``: ``Story.objects.published().with_cleared_recording()``
        for anything a reader sees (passages, the story page, open data)."""
        return self.filter(story__in=stories.order_by().values("pk"))

    def on_theme(self, theme):
        return self.filter(themes=theme)

    def with_themes(self):
        """These segments, each with its themes (``local_theme_list``) read with its row.

        No query more, where a prefetch would cost one: the story page lists them within
        its budget (tests/test_query_budget.py).
        """
        theme = JSONObject(
            id="theme__id", slug="theme__slug", name="theme__name", name_es="theme__name_es"
        )
        rows = (
            IndexSegment.themes.through.objects.filter(indexsegment=OuterRef("pk"))
            .order_by()
            .values("indexsegment")
            .annotate(rows=JSONRows(theme))
            .values("rows")
        )
        return self.annotate(theme_rows=Subquery(rows))

    def as_webvtt(self, duration=None):
        """The index as a WebVTT chapters track: each title from its start to the next one's,
        the last to ``duration`` (seconds) if given."""
        cues = (transcripts.Cue(segment.start, end=None, text=segment.title) for segment in self)
        return transcripts.to_webvtt(cues, duration=duration)


class IndexSegment(models.Model):
    """One segment of a recording's index: from ``start`` to the next segment's start."""

    story = models.ForeignKey(
        "Story",
        on_delete=models.CASCADE,
        related_name="index_segments",
        verbose_name=_("story"),
    )
    start = models.DurationField(
        _("starts at"), help_text=_("Minutes and seconds into the recording, e.g. 1:05.")
    )
    title = models.CharField(_("title"), max_length=200)
    synopsis = models.TextField(
        _("synopsis"), blank=True, validators=[MaxLengthValidator(SYNOPSIS_MAX_LENGTH)]
    )
    keywords = models.CharField(
        _("keywords"), max_length=300, blank=True, help_text=_("Separated by commas.")
    )
    # The archive's words, in the language the story is not told in: labelled as a
    # translation wherever they are shown (docs/languages.md).
    title_translation = models.CharField(
        _("title translated by the archive"), max_length=200, blank=True
    )
    synopsis_translation = models.TextField(
        _("synopsis translated by the archive"),
        blank=True,
        validators=[MaxLengthValidator(SYNOPSIS_MAX_LENGTH)],
    )
    keywords_translation = models.CharField(
        _("keywords translated by the archive"), max_length=300, blank=True
    )
    themes = models.ManyToManyField(
        "Theme", blank=True, related_name="index_segments", verbose_name=_("themes")
    )

    objects = IndexSegmentQuerySet.as_manager()

    # The texts the identity shield reads (the privacy table's shielded fields), each named in
    # a finding as "segment-<pk>-<field>".
    SHIELDED_FIELDS = privacy.named("IndexSegment", lambda field: field.shielded)

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("index segment")
        verbose_name_plural = _("index segments")

    def __str__(self):
        return f"{transcripts.clock(self.start)} {self.title}"

    @property
    def seconds(self):
        return self.start.total_seconds()

    @property
    def clock(self):
        return transcripts.clock(self.start)

    @property
    def moment(self):
        """Its place in the recording as a fragment ("t=49.500"): the story page's chapter
        list gives that id to the segment, and listen.js plays from there."""
        return transcripts.moment(self.start)

    def get_absolute_url(self):
        """Its story's page, at this segment: a link that plays the recording from here."""
        return f"{self.story.get_absolute_url()}#{self.moment}"

    @property
    def keyword_list(self):
        return keyword_list(self.keywords)

    @property
    def keyword_translation_list(self):
        return keyword_list(self.keywords_translation)

    @property
    def local_theme_list(self):
        """Its themes, in the alphabetical order of the reader's language (read with the row
        by ``with_themes()``, or read now)."""
        try:
            themes = [Theme(**row) for row in self.theme_rows or ()]
        except AttributeError:
            themes = self.themes.all()
        return in_local_order(themes)

    @property
    def has_translation(self):
        return bool(self.title_translation or self.synopsis_translation)

    def shield_field(self, name):
        """How the identity shield names one of its texts in a finding (Finding.field)."""
        return f"segment-{self.pk}-{name}"

    @classmethod
    def replace_index(cls, story, segments):
        """The story's index becomes ``segments`` (unsaved IndexSegments, each with
        ``theme_ids`` set), in one transaction.

        A segment that starts where one started before is saved over that row: it
        keeps its key, so a waiver of a finding in its unchanged words stays in
        force (the shield names a finding "segment-<pk>-<field>").
        """
        with transaction.atomic():
            kept = dict(story.index_segments.values_list("start", "pk"))
            for segment in segments:
                segment.story = story
                segment.pk = kept.pop(segment.start, None)
            story.index_segments.filter(pk__in=kept.values()).delete()
            rewritten = [segment for segment in segments if segment.pk is not None]
            if rewritten:
                cls.objects.bulk_update(rewritten, ["start", *cls.SHIELDED_FIELDS])
            cls.objects.bulk_create([segment for segment in segments if segment.pk is None])
            through = cls.themes.through
            through.objects.filter(indexsegment__story=story).delete()
            through.objects.bulk_create(
                through(indexsegment_id=segment.pk, theme_id=theme_id)
                for segment in segments
                for theme_id in getattr(segment, "theme_ids", ())
            )
            # bulk_create sends no signal: cached pages and the search index learn of it here.
            stories_changed_in_bulk(type(story).objects.filter(pk=story.pk))
        return segments
