"""
The whole public archive in one file, for research: ``/export/`` says what there is,
``/export/stories.csv`` and ``/export/stories.json`` stream every published story as its
public record (``records``), one row or object per story, with the same fields in the same order.
"""

import csv
import json

from django.http import JsonResponse, StreamingHttpResponse
from django.urls import reverse

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
    "rights",
)


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
