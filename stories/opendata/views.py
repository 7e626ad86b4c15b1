"""
The roads for machines that have no module of their own (unprefixed, like
every machine road: docs/architecture.md, "Languages"): the permanent address
of a story, its citation files, the export of the whole public archive, and a
cleared recording with its captions. What a story says is read through
``opendata``; the permanent address and the recording roads need only a
published story's slug or its cleared recording.
"""

import csv
import functools
import json
import logging

from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import http_date

from ..models import Story, TranscriptSegment, recordings_storage
from ..recordings import ranges
from . import citations, records

logger = logging.getLogger(__name__)

EXPORT_FIELDS = (
    "id",
    "identifier",
    "url",
    "title",
    "creator",
    "narrator_descriptor",
    "perspective",
    "themes",
    "language",
    "place",
    "year_happened",
    "date",
    "summary",
    "content_note",
    "text",
    "recording",
    "recording_type",
    "recording_duration",
    "rights",
)


def dated_by_archive_change(view):
    """Last-Modified is when anything public last changed (``records.archive_changed_at``).

    Not the newest date among what is listed now: when the newest item leaves
    (withdrawn, returned to review), that date goes back, and a client asking
    If-Modified-Since would keep the item it should lose.
    """

    @functools.wraps(view)
    def dated(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            response["Last-Modified"] = http_date(records.archive_changed_at().timestamp())
        return response

    return dated


def story_permalink(request, story_id):
    """``/s/<id>/``: the address citations use, which outlives a change of title.

    It leads to a public story's page. A story withdrawn after publication
    answers 410 here, without leading on: its slug spells its old title, and
    ids can be walked.
    """
    story = Story.objects.published().filter(pk=story_id).only("slug").first()
    if story is not None:
        # Not permanent: the slug it leads to can change.
        return redirect(story.get_absolute_url())
    if Story.objects.withdrawn_after_publication().filter(pk=story_id).exists():
        return render(request, "stories/story_withdrawn.html", status=410)
    raise Http404


def public_record(story_id):
    story = records.public_stories().filter(pk=story_id).first()
    if story is None:
        raise Http404
    return records.PublicRecord.of(story)


def citation_file(request, story_id, extension):
    if extension not in ("bib", "ris"):
        raise Http404
    record = public_record(story_id)
    base = records.base_url(request)
    if extension == "bib":
        body, content_type = citations.bibtex(record, base), "application/x-bibtex"
    else:
        body, content_type = (
            citations.ris(record, base),
            "application/x-research-info-systems",
        )
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="perspectives-{record.id}.{extension}"'
    return response


def export_row(record, base):
    row = {
        **records.story_fields(record, base, whole=True),
        "identifier": base + record.permalink_path,
        "perspective": record.perspective_name,
        "themes": [name for _slug, name in record.themes],
        "date": record.published_at.isoformat(),
        "recording": base + record.recording.path if record.recording else "",
        "recording_type": record.recording.mime_type if record.recording else "",
        "recording_duration": record.recording.duration if record.recording else None,
        "rights": str(records.RIGHTS),
    }
    # In the order of EXPORT_FIELDS: the JSON objects' keys, as the CSV's columns.
    return {name: row[name] for name in EXPORT_FIELDS}


def export_records():
    # In chunks: 100,000 stories never sit in memory at once.
    for story in records.public_stories().iterator(chunk_size=500):
        yield records.PublicRecord.of(story)


# A cell a spreadsheet would read as a formula ("=HYPERLINK(…)") is written as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class Echo:
    """A file whose write() returns what it was given, for csv.writer to stream through."""

    def write(self, value):
        return value


def export_index(request):
    return JsonResponse(
        {
            "formats": {
                "csv": records.absolute_url(request, reverse("export-csv")),
                "json": records.absolute_url(request, reverse("export-json")),
            },
            "fields": list(EXPORT_FIELDS),
            "rights": str(records.RIGHTS),
        }
    )


def export_csv(request):
    base = records.base_url(request)
    writer = csv.writer(Echo())

    def rows():
        yield "\ufeff"  # so spreadsheet programs read the file as UTF-8
        yield writer.writerow(EXPORT_FIELDS)
        for record in export_records():
            row = export_row(record, base)
            row["themes"] = "; ".join(row["themes"])
            yield writer.writerow([spreadsheet_safe(row[name]) for name in EXPORT_FIELDS])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="perspectives-stories.csv"'
    return response


def export_json(request):
    base = records.base_url(request)

    def chunks():
        yield "[\n"
        first = True
        for record in export_records():
            yield ("" if first else ",\n") + json.dumps(
                export_row(record, base), ensure_ascii=False
            )
            first = False
        yield "\n]\n"

    response = StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="perspectives-stories.json"'
    return response


def heard_story(story_id):
    """The visible story ``story_id`` whose recording a moderator has cleared, or 404.

    The same 404 whatever the reason (no such story, not visible, no recording,
    not cleared), so the answer tells nobody that a recording exists.
    """
    stories = Story.objects.published().with_public_recording().select_related("recording")
    return get_object_or_404(stories.only("pk", "language", *RECORDING_COLUMNS), pk=story_id)


RECORDING_COLUMNS = (
    "recording__stored_as",
    "recording__mime_type",
    "recording__duration",
    "recording__cleared_at",
)


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
