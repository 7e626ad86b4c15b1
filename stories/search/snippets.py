"""
The excerpt shown with a result, cut where the match is, and where it comes from.

A story found by its own title, summary or text shows an excerpt of its text,
as the engine cuts it (``SearchEngine.snippet``). A story found elsewhere
shows the words that found it: a paragraph of its recording's transcript or a
segment of its index, with the time it is heard at and a link that plays the
recording from there; or the archive's translation, labelled as such, in the
language it is in. Where the match is, is decided in Python with the stemming
the index uses (text.py), from the page's transcripts and index segments read
together in one query, and only when some story of the page needs them.
"""

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import Value

from ..models import OTHER_LANGUAGE, IndexSegment, TranscriptSegment
from .documents import as_one_text, segment_fields
from .text import excerpt, highlight, language_of, mentions, query_stems

TRANSCRIPT, INDEX, TEXT = "transcript", "index", "text"


@dataclass(frozen=True)
class Source:
    """Where an excerpt shown with a result was found, when not in the story's own text.

    ``kind``: a transcript paragraph, an index segment, or the story's text
    (TRANSCRIPT, INDEX, TEXT); ``language``: the language of the excerpt;
    ``translated``: the archive's translation, not the narrator's words;
    ``moment`` ("t=49.500") and ``clock`` ("0:49"): where it is heard, if it is.
    The link that plays from there is the story's address in the page's language
    and the moment (stories/_search_snippet.html): a source is the same in every
    language, and is kept so by the search page (pages/searching.py).
    """

    kind: str
    language: str
    translated: bool = False
    moment: str = ""
    clock: str = ""


def place_snippets(page, query, body_snippet, using):
    """Give each story of ``page`` its ``snippet`` (safe HTML) and its ``snippet_source``.

    ``body_snippet(story)`` is the engine's excerpt of the story's text, cut
    around the matched words. ``snippet_source`` is None for a story found by
    its own written words, a ``Source`` otherwise.
    """
    elsewhere = []
    for story in page:
        language = language_of(story)
        stems = query_stems(query, language)
        story.snippet_source = None
        story.snippet = highlight(body_snippet(story))
        written = (story.title, story.summary, story.body)
        if not any(mentions(text, language, stems) for text in written):
            elsewhere.append(story)
    heard = recorded_passages([story.pk for story in elsewhere if story.cleared_recording], using)
    for story in elsewhere:
        found = where_found(story, query, heard.get(story.pk, ()))
        if found:
            story.snippet, story.snippet_source = highlight(found[0]), found[1]


@dataclass(frozen=True)
class Passage:
    """A transcript paragraph or an index segment, as a snippet reads it."""

    kind: str
    start: datetime.timedelta
    text: str
    translation: str

    @property
    def timing(self):
        """An unsaved row of its kind, which tells its time as the story page does."""
        return {TRANSCRIPT: TranscriptSegment, INDEX: IndexSegment}[self.kind](start=self.start)

    def words(self, translated):
        return self.translation if translated else self.text


def recorded_passages(story_ids, using):
    """{story id: [Passage]}: the transcripts, then the indexes, of these stories, in one query.

    Only ever given the ids of public stories with a cleared recording.
    """
    if not story_ids:
        return {}
    blank = Value("", output_field=models.TextField())
    paragraphs = (
        TranscriptSegment.objects.using(using)
        .filter(story__in=story_ids)
        .order_by()
        .values_list(
            "story_id",
            "start",
            Value(TRANSCRIPT),
            "text",
            blank,
            blank,
            "text_translation",
            blank,
            blank,
        )
    )
    segments = (
        IndexSegment.objects.using(using)
        .filter(story__in=story_ids)
        .order_by()
        .values_list(
            "story_id",
            "start",
            Value(INDEX),
            *segment_fields(),
            *segment_fields(translated=True),
        )
    )
    passages = {}
    order = {TRANSCRIPT: 0, INDEX: 1}
    rows = sorted(paragraphs.union(segments, all=True), key=lambda row: (order[row[2]], row[1]))
    for story_id, start, kind, *texts in rows:
        passages.setdefault(story_id, []).append(
            Passage(kind, start, as_one_text(texts[:3]), as_one_text(texts[3:]))
        )
    return passages


def where_found(story, query, passages):
    """(excerpt, Source) of the first of the story's other texts the query finds, or None.

    Its own words first (transcript, then index), then the archive's
    translation (text, transcript, index), each read in its own language.
    """
    own = language_of(story)
    for translated, language in ((False, own), (True, OTHER_LANGUAGE[own])):
        stems = query_stems(query, language)
        if not stems:
            continue
        if translated:
            for text in (
                story.body_translation,
                story.summary_translation,
                story.title_translation,
            ):
                if mentions(text, language, stems):
                    return excerpt(text, language, stems), Source(TEXT, language, True)
        for passage in passages:
            text = passage.words(translated)
            if mentions(text, language, stems):
                timing = passage.timing
                source = Source(
                    passage.kind, language, translated, moment=timing.moment, clock=timing.clock
                )
                return excerpt(text, language, stems), source
    return None
