"""
The guarded roads: a story's cleared recording, with range requests, its transcript as
captions, and its transcript to download (plain text and WebVTT). Routed with the other
unprefixed machine roads in stories/opendata/urls.py, never cached; each answer checks the
story and the clearance (docs/architecture.md, "The guarded roads").
"""

import logging

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from ..models import Story, TranscriptSegment, recordings_storage
from . import ranges, transcripts

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
    response = HttpResponse(
        TranscriptSegment.as_webvtt(story, duration=story.recording.duration),
        content_type="text/vtt; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    return response


def transcribed_story(story_id):
    """The visible story ``story_id`` whose recording a moderator has cleared, or 404.

    Its transcript is public whatever the narrator chose for the voice: a voice
    kept private is never served, but what it said is read (docs/privacy.md).
    """
    stories = Story.objects.published().with_cleared_recording().select_related("recording")
    story = get_object_or_404(stories.only("pk", "voice", *RECORDING_COLUMNS), pk=story_id)
    if not story.transcript.exists():
        raise Http404
    return story


def chapters(request, story_id):
    """The recording's index as a WebVTT chapters track: public wherever its transcript is.

    (Minimal, so that open data can link it: the story page's own version replaces it at merge.)
    """
    stories = Story.objects.published().with_cleared_recording().select_related("recording")
    story = get_object_or_404(stories.only("pk", *RECORDING_COLUMNS), pk=story_id)
    cues = [
        transcripts.Cue(start=segment.start, end=None, text=segment.title)
        for segment in story.index_segments.all()
    ]
    if not cues:
        raise Http404
    response = HttpResponse(
        transcripts.to_webvtt(cues, duration=story.recording.duration),
        content_type="text/vtt; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    return response


def _download(body, content_type, name):
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def transcript_text(request, story_id):
    """The transcript as plain text, each paragraph after its time, to download."""
    story = transcribed_story(story_id)
    return _download(
        TranscriptSegment.as_text(story),
        "text/plain; charset=utf-8",
        f"story-{story.pk}-transcript.txt",
    )


def transcript_webvtt(request, story_id):
    """The transcript as WebVTT, to download (for a subtitle editor, say).

    The last paragraph ends with the recording only where the recording is heard:
    a voice kept private gives away nothing of its audio, not even its length.
    """
    story = transcribed_story(story_id)
    heard = story.public_recording
    return _download(
        TranscriptSegment.as_webvtt(story, duration=heard.duration if heard else None),
        "text/vtt; charset=utf-8",
        f"story-{story.pk}-transcript.vtt",
    )
