"""
What of a story is searched, in which language, and with what weight.

A story is found by its own words, in its language: its title (weighted
highest), its summary and the titles, synopses and keywords of its
recording's index, its text and its recording's transcript, then its
narrator's descriptor, place and themes' names. It is also found by the
archive's translations of these, each in the language it is in (the other
one, ``story.translation_language``), with the same weights. A recording's
transcript and index are searched only where readers see them: once a
moderator cleared the recording (a voice kept private included, its
transcript being public).

Both engines take their documents from here: SQLite stems these texts in
Python (sqlite.py), PostgreSQL builds the same parts in SQL (postgres.py),
where the transcript and the translations are matched but not weighed: a story
found only by them ranks 0 there (postgres.py says why).
"""

from django.db.models import Prefetch

from ..models import IndexSegment, TranscriptSegment

CLEARED = {"story__recording__cleared_at__isnull": False}

# The parts of a document, in the order of their weights (PostgreSQL's A to D).
PARTS = ("title", "summary", "body", "other")


def with_recording_texts(stories):
    """``stories`` read with the transcripts and index segments of their cleared recordings.

    ``searched_transcript`` and ``searched_segments`` are empty lists for a
    story whose recording is not cleared (or that has none).
    """
    return stories.prefetch_related(
        Prefetch(
            "transcript",
            queryset=TranscriptSegment.objects.filter(**CLEARED),
            to_attr="searched_transcript",
        ),
        Prefetch(
            "index_segments",
            queryset=IndexSegment.objects.filter(**CLEARED),
            to_attr="searched_segments",
        ),
    )


# What of an index segment is searched, and shown when it is what a search found.
SEGMENT_TEXTS = ("title", "synopsis", "keywords")


def segment_fields(*, translated=False):
    return tuple(f"{name}_translation" if translated else name for name in SEGMENT_TEXTS)


def as_one_text(texts):
    """A segment's title, synopsis and keywords as one text: "Title — Synopsis — a, b"."""
    return " — ".join(text for text in texts if text)


def segment_text(segment, *, translated=False):
    """A segment's title, synopsis and keywords (or the archive's translation of them)."""
    return as_one_text(getattr(segment, name) for name in segment_fields(translated=translated))


def own_parts(story):
    """The texts of ``story`` in its own language, by part (read ``with_recording_texts``)."""
    return {
        "title": [story.title],
        "summary": [story.summary, *(segment_text(s) for s in story.searched_segments)],
        "body": [story.body, *(paragraph.text for paragraph in story.searched_transcript)],
    }


def translated_parts(story):
    """The archive's translations of ``story``, by part, in ``story.translation_language``."""
    return {
        "title": [story.title_translation],
        "summary": [
            story.summary_translation,
            *(segment_text(s, translated=True) for s in story.searched_segments),
        ],
        "body": [
            story.body_translation,
            *(paragraph.text_translation for paragraph in story.searched_transcript),
        ],
    }
