"""
Passages on a theme: the index segments tagged with it, from every perspective,
as the theme page lists them under "Passages on this theme" (docs/theme-page.md).

A passage is read in the reader's language: the archive's translation when the
story was told in the other language and the archive translated the passage
(labelled as such), else the narrator's own words marked with their language.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Count, F, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber

from ..pagecache.store import counted_once_per_generation
from .index_segments import IndexSegment


def public_segments():
    """The segments readers may see: of published stories whose recording is cleared."""
    stories = apps.get_model("stories", "Story").objects
    return IndexSegment.objects.of_stories(stories.published().with_cleared_recording())


@dataclass(frozen=True)
class Wording:
    """One text of a passage as the reader gets it: ``text`` in ``lang``, translated or not."""

    text: str
    lang: str
    translated: bool


def worded(original, translation, *, told_in, reader_language):
    """The translation when the reader reads the other language and there is one."""
    if told_in != reader_language and translation:
        return Wording(translation, reader_language, True)
    return Wording(original, told_in, False)


@dataclass(frozen=True)
class Passage:
    """An index segment on a theme, read in ``language`` (the page's)."""

    segment: IndexSegment
    language: str

    @property
    def story(self):
        return self.segment.story

    def _worded(self, original, translation):
        return worded(
            original, translation, told_in=self.story.language, reader_language=self.language
        )

    @property
    def title(self):
        return self._worded(self.segment.title, self.segment.title_translation)

    @property
    def synopsis(self):
        return self._worded(self.segment.synopsis, self.segment.synopsis_translation)

    @property
    def story_title(self):
        return self._worded(self.story.title, self.story.title_translation)

    @property
    def translated(self):
        """Whether the passage is shown in the archive's words: its label says so."""
        return self.title.translated or self.synopsis.translated

    @property
    def minutes(self):
        """How long it lasts, to the nearest minute and at least one; None if unknown.

        Until the next segment starts (``next_start``, annotated), or the recording ends.
        """
        if self.segment.next_start is not None:
            end = self.segment.next_start.total_seconds()
        else:
            end = self.story.recording.duration
        length = end - self.segment.seconds
        return max(1, round(length / 60)) if length > 0 else None

    @property
    def heard(self):
        """Whether the link plays it: False for a voice kept private (its transcript is read)."""
        return not self.story.keeps_voice_private


@dataclass(frozen=True)
class PassagesOfPerspective:
    """One perspective's passages on a theme: the first few, and how many there are."""

    perspective: object
    passages: list
    total: int


def passages_on_theme(theme, perspectives, *, per_perspective, language):
    """``PassagesOfPerspective`` for every perspective (display order), empty ones included.

    Each perspective's passages come from its newest stories first, in the
    order they are told. Two queries however many perspectives (one with the
    counts cached for the archive's generation).
    """
    on_theme = public_segments().on_theme(theme)
    totals = counted_once_per_generation(
        f"theme-{theme.pk}-passages-per-perspective",
        lambda: dict(
            on_theme.order_by().values_list("story__perspective_id").annotate(total=Count("pk"))
        ),
    )
    following = IndexSegment.objects.filter(
        story_id=OuterRef("story_id"), start__gt=OuterRef("start")
    ).order_by("start")
    first = (
        on_theme.select_related("story__perspective", "story__recording")
        .defer(*(f"story__{name}" for name in apps.get_model("stories", "Story").SEARCH_VECTORS))
        .annotate(
            next_start=Subquery(following.values("start")[:1]),
            rank=Window(
                RowNumber(),
                partition_by=F("story__perspective_id"),
                order_by=[F("story__published_at").desc(), F("story_id").desc(), F("start").asc()],
            ),
        )
        .filter(rank__lte=per_perspective)
        .order_by("story__perspective_id", "rank")
    )
    by_perspective = {}
    for segment in first:
        by_perspective.setdefault(segment.story.perspective_id, []).append(
            Passage(segment, language)
        )
    return [
        PassagesOfPerspective(
            perspective, by_perspective.get(perspective.pk, []), totals.get(perspective.pk, 0)
        )
        for perspective in perspectives
    ]
