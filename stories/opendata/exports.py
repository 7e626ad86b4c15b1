"""
The whole public archive in one file, for research: ``/export/`` says what there is,
``/export/stories.csv`` and ``/export/stories.json`` stream every published story as its
public record (``records``), one row or object per story, with the same fields in the same order.

The JSON objects add what a spreadsheet's cell cannot hold (``JSON_ONLY_FIELDS``): the
recording's index and the translated transcript, as the API gives them. The CSV links the
index instead, as its WebVTT chapters track (``chapters``).
"""

import csv
import json

from django.http import JsonResponse, StreamingHttpResponse
from django.urls import reverse

from ..models import Story
from . import records

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
    "quote",
    "content_note",
    "text",
    "recording",
    "recording_type",
    "recording_duration",
    "chapters",
    "languages",
    # The archive's translation, in columns of its own: never mixed with the narrator's.
    "translation_language",
    "translated_by",
    "title_translation",
    "summary_translation",
    "text_translation",
    # What a reader may do with the story: its narrator's licence.
    "licence",
    "licence_name",
    "licence_url",
    "allows_republishing",
    "rights",
    "persistent_identifier",
    "persistent_url",
)
JSON_ONLY_FIELDS = ("segments", "transcript_translation")


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
        "chapters": base + record.chapters_path if record.chapters_path else None,
        "languages": list(record.languages),
        **translation_columns(record.translation),
        "licence": record.licence.code,
        "licence_name": record.licence.short_name,
        "licence_url": record.licence.url,
        "allows_republishing": record.licence.allows_republishing,
        "rights": rights(record.licence, base),
    }
    # In the order of EXPORT_FIELDS: the JSON objects' keys, as the CSV's columns.
    return {name: row[name] for name in EXPORT_FIELDS}


def rights(licence, base):
    """The story's licence in words, and where to ask for more than it allows."""
    ask = base + records.republish_path()
    if licence.allows_republishing:
        return f"{licence.statement}. To do more than it allows, ask the archive: {ask}"
    return f"{licence.statement}. Ask the archive before republishing the story: {ask}"


def translation_columns(translation):
    if translation is None:
        return dict.fromkeys(
            ("translation_language", "translated_by", "title_translation", "summary_translation",
             "text_translation"),
            "",
        )  # fmt: skip
    return {
        "translation_language": translation.language,
        "translated_by": translation.translated_by,
        "title_translation": translation.title,
        "summary_translation": translation.summary,
        "text_translation": translation.text,
    }


def export_object(record, base):
    """A story in the JSON export: its row, then its index and translated transcript."""
    translation = records.translation_fields(record)
    return {
        **export_row(record, base),
        "segments": records.segments_fields(record, base),
        "transcript_translation": translation["transcript"] if translation else [],
    }


def export_records():
    # In chunks: 100,000 stories never sit in memory at once.
    stories = records.with_index_and_translations(Story.objects.published())
    for story in stories.order_by("-published_at", "-pk").iterator(chunk_size=500):
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
            "json_only_fields": list(JSON_ONLY_FIELDS),
            # Each story has its own licence (its "licence" fields); this says how to ask.
            "rights": str(records.RIGHTS),
            "republish": records.absolute_url(request, records.republish_path()),
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
            row["languages"] = "; ".join(row["languages"])
            row["allows_republishing"] = "true" if row["allows_republishing"] else "false"
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
                export_object(record, base), ensure_ascii=False
            )
            first = False
        yield "\n]\n"

    response = StreamingHttpResponse(chunks(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="perspectives-stories.json"'
    return response
