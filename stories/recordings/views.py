"""
The guarded roads: a story's cleared recording, with range requests, its transcript as
captions (and the archive's translation of it as subtitles), its transcript to download
(plain text and WebVTT, the translation too), its index as chapters. Routed with the other
unprefixed machine roads in stories/opendata/urls.py, never cached; each answer checks the
story and the clearance (docs/architecture.md, "The guarded roads").
"""

import logging

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from ..models import IndexSegment, Story, TranscriptSegment, recordings_storage
from . import ranges

logger = logging.getLogger(__name__)

RECORDING_COLUMNS = (
    "recording__stored_as",
    "recording__mime_type",
    "recording__duration",
    "recording__cleared_at",
)


def heard_story(story_id):
    """The visible story ``story_id`` whose recording a moderator has cleared, or 404.

    The same 404 whatever the reason (no such story, not visible, no recording,
    not cleared), so the answer tells nobody that a recording exists.
    """
    stories = Story.objects.published().with_public_recording().select_related("recording")
    return get_object_or_404(stories.only("pk", "language", *RECORDING_COLUMNS), pk=story_id)


def recording(request, story_id):
    """A story's recording, with range requests (players seek), never cached."""
    story = heard_story(story_id)
    try:
        return ranges.file_response(
            request,
            recordings_storage(),
            story.recording.stored_as,
            content_type=story.recording.mime_type,
            download_name=f"story-{story.pk}.{story.recording.extension}",
        )
    except FileNotFoundError:
        # A database restored without its recordings (docs/deploy.md, "Backups"): the
        # operator learns it from the log, a reader gets the same 404 as for any other.
        logger.error("The recording of story %s is missing from its storage.", story.pk)
        raise Http404 from None


def captions(request, story_id):
    """The recording's transcript as WebVTT, for the player's captions track."""
    story = heard_story(story_id)
    if not story.transcript.exists():
        raise Http404
    return _captions(story)


def captions_translation(request, story_id):
    """The archive's translation of the transcript as WebVTT: the player's second track.

    404 where no paragraph is translated, as for a story whose recording is not heard.
    """
    story = heard_story(story_id)
    if not story.transcript.exclude(text_translation="").exists():
        raise Http404
    return _captions(story, translated=True)


def _captions(story, *, translated=False):
    response = HttpResponse(
        TranscriptSegment.as_webvtt(
            story, duration=story.recording.duration, translated=translated
        ),
        content_type="text/vtt; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    return response


def cleared_story(story_id):
    """The visible story ``story_id`` whose recording a moderator has cleared, or 404.

    Its transcript and index are public whatever the narrator chose for the voice:
    a voice kept private is never served, but what it said is read (docs/privacy.md).
    """
    stories = Story.objects.published().with_cleared_recording().select_related("recording")
    return get_object_or_404(
        stories.only("pk", "voice", "language", *RECORDING_COLUMNS), pk=story_id
    )


def transcribed_story(story_id, *, translated=False):
    """``cleared_story()``, if it has a transcript (``translated``: a paragraph the archive
    has translated), or 404."""
    story = cleared_story(story_id)
    paragraphs = story.transcript.exclude(text_translation="") if translated else story.transcript
    if not paragraphs.exists():
        raise Http404
    return story


def heard_duration(story):
    """The recording's length where it is heard: a voice kept private gives away nothing
    of its audio, not even its length."""
    heard = story.public_recording
    return heard.duration if heard else None


def _download(body, content_type, name):
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _file_name(story, translated, extension):
    translation = f"-translated-{story.translation_language}" if translated else ""
    return f"story-{story.pk}-transcript{translation}.{extension}"


def transcript_text(request, story_id, translated=False):
    """The transcript (or the archive's translation of it) as plain text, each paragraph
    after its time, to download."""
    story = transcribed_story(story_id, translated=translated)
    return _download(
        TranscriptSegment.as_text(story, translated=translated),
        "text/plain; charset=utf-8",
        _file_name(story, translated, "txt"),
    )


def transcript_webvtt(request, story_id, translated=False):
    """The transcript (or the archive's translation of it) as WebVTT, to download (for a
    subtitle editor, say).

    The last paragraph ends with the recording only where the recording is heard.
    """
    story = transcribed_story(story_id, translated=translated)
    return _download(
        TranscriptSegment.as_webvtt(story, duration=heard_duration(story), translated=translated),
        "text/vtt; charset=utf-8",
        _file_name(story, translated, "vtt"),
    )


def chapters(request, story_id):
    """The recording's index as a WebVTT chapters track (the player's ``<track
    kind="chapters">``): each segment's title, from its start to the next one's.

    Public wherever the transcript is, a voice kept private included; 404 without an index.
    """
    story = cleared_story(story_id)
    index = IndexSegment.objects.of_stories(
        Story.objects.published().with_cleared_recording().filter(pk=story.pk)
    )
    if not index.exists():
        raise Http404
    response = HttpResponse(
        index.as_webvtt(duration=heard_duration(story)), content_type="text/vtt; charset=utf-8"
    )
    response["Cache-Control"] = "no-store"
    return response
