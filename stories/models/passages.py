"""
Passages on a theme: the index segments tagged with it, from every perspective,
as the theme page lists them under "Passages on this theme" (docs/theme-page.md):
which ones (``passages_chosen``, ids), and each story's passages as they are shown
(``passages_of_stories``).

A passage is read in the reader's language: the archive's translation when the
story was told in the other language and the archive translated the passage
(labelled as such), else the narrator's own words marked with their language.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Count, F, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber

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


def passages_chosen(theme, *, per_perspective):
    """{perspective id: ([(segment id, story id), ...], how many)} for each perspective with
    passages on ``theme``: its first ``per_perspective``, those of its newest stories first,
    in the order they are told, and how many it has in all.

    Ids and counts only, in one query: a window function numbers and counts each
    perspective's passages. The theme page keeps them for the archive's generation and shows
    each story's passages from their fragment (``passages_of_stories``).
    """
    perspective = F("story__perspective_id")
    rows = (
        public_segments()
        .on_theme(theme)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=perspective,
                order_by=[F("story__published_at").desc(), F("story_id").desc(), F("start").asc()],
            ),
            total=Window(Count("pk"), partition_by=perspective),
        )
        .filter(rank__lte=per_perspective)
        .order_by("story__perspective_id", "rank")
        .values_list("story__perspective_id", "pk", "story_id", "total")
    )
    chosen = {}
    for perspective_id, segment_id, story_id, total in rows:
        segments, _total = chosen.setdefault(perspective_id, ([], total))
        segments.append((segment_id, story_id))
    return chosen


def passages_of_stories(theme, story_ids, *, language):
    """{story id: its ``Passage``s on ``theme``, in the order they are told}, of the published
    stories among ``story_ids`` whose recording is cleared; read in ``language``. One query,
    each segment with its story, perspective and recording, and the next segment's start.
    """
    following = IndexSegment.objects.filter(
        story_id=OuterRef("story_id"), start__gt=OuterRef("start")
    ).order_by("start")
    segments = (
        public_segments()
        .on_theme(theme)
        .filter(story_id__in=story_ids)
        .select_related("story__perspective", "story__recording")
        .defer(*(f"story__{name}" for name in apps.get_model("stories", "Story").SEARCH_VECTORS))
        .annotate(next_start=Subquery(following.values("start")[:1]))
        .order_by("story_id", "start")
    )
    by_story = {}
    for segment in segments:
        by_story.setdefault(segment.story_id, []).append(Passage(segment, language))
    return by_story
