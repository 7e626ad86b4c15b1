"""The recording's index and the archive's translations in open data (docs/opendata.md):
the API's story record, the exports, Dublin Core (the API's and OAI-PMH's), on the sample
archive."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from lxml import etree

from stories.models import Recording, Story

from ..crawling import body_of

pytestmark = pytest.mark.django_db

DC = "{http://purl.org/dc/elements/1.1/}"


@pytest.fixture
def sample_archive(settings):
    settings.PAGE_CACHE_SECONDS = settings.COUNTS_CACHE_SECONDS = 0
    call_command("load_sample_archive", verbosity=0)


def story(slug):
    return Story.objects.get(slug=slug)


SPANISH = "la-mañana-que-se-llevaron-a-mi-compañero-de-obra"  # story 21, translated
ROOKIE = "i-was-a-rookie-the-year-special-order-40-came-down"  # story 2
PRIVATE_VOICE = "three-buses-to-the-legal-clinic"  # story 32


def test_the_api_gives_the_index_and_the_translation_apart(client, sample_archive):
    spanish = story(SPANISH)
    record = client.get(f"/api/v1/stories/{spanish.pk}/").json()
    assert record["language"] == "es" and record["languages"] == ["es", "en"]
    # The narrator's fields stay the narrator's; the archive's translation is its own object.
    assert record["title"] == spanish.title and record["text"] == spanish.body
    translation = record["translation"]
    assert translation["language"] == "en" and translation["translated_by"] == "archive"
    assert translation["label"] == "Translated by the archive from Spanish"
    assert translation["title"] == spanish.title_translation
    assert translation["text"] == spanish.body_translation
    assert len(translation["transcript"]) == spanish.transcript.count()
    assert translation["transcript"][0] == {
        "start": 0.0,
        "text": spanish.transcript.first().text_translation,
    }
    segments = record["segments"]
    assert [segment["clock"] for segment in segments] == ["0:00", "0:12", "0:33", "0:49", "1:08"]
    last = segments[-1]
    assert last["language"] == "es" and last["title"] == "Lo que yo llamaría santuario"
    assert last["themes"] == ["belonging", "community-trust"]
    assert last["url"].endswith(f"{spanish.get_absolute_url()}#t=68.500")
    assert last["translation"]["language"] == "en"
    assert last["translation"]["title"] == "What I would call sanctuary"
    assert last["translation"]["translated_by"] == "archive"
    assert record["chapters"] == f"http://testserver/recordings/{spanish.pk}/chapters.vtt"


def test_the_api_gives_no_index_without_a_cleared_recording(client, sample_archive):
    rookie = story(ROOKIE)
    Recording.objects.filter(story=rookie).update(cleared_at=None)
    record = client.get(f"/api/v1/stories/{rookie.pk}/").json()
    assert record["segments"] == [] and record["chapters"] is None
    assert client.get(f"/recordings/{rookie.pk}/chapters.vtt").status_code == 404
    # Its summary's translation is the story's, public with it: it stays.
    assert record["translation"] is None or record["translation"]["transcript"] == []


def test_a_voice_kept_private_gives_its_index_but_no_recording_address(client, sample_archive):
    private = story(PRIVATE_VOICE)
    record = client.get(f"/api/v1/stories/{private.pk}/").json()
    assert [segment["title"] for segment in record["segments"]][:1] == ["Arriving with a folder"]
    assert record["recording"] is None and record["chapters"] is None
    assert f"/recordings/{private.pk}/" not in json.dumps(record)


def test_the_chapters_track_is_the_index_in_webvtt(client, sample_archive):
    rookie = story(ROOKIE)
    track = client.get(f"/recordings/{rookie.pk}/chapters.vtt")
    assert track["Content-Type"] == "text/vtt; charset=utf-8"
    text = track.content.decode()
    assert text.startswith("WEBVTT")
    assert "00:00:49.000 --> 00:01:13.000\nThe witness in a 1986 homicide" in text


def test_the_exports_give_the_translation_in_columns_and_the_index_in_json(client, sample_archive):
    spanish = story(SPANISH)
    rows = json.loads(body_of(client.get("/export/stories.json")))
    row = next(row for row in rows if row["id"] == spanish.pk)
    assert row["title"] == spanish.title and row["title_translation"] == spanish.title_translation
    assert row["translation_language"] == "en" and row["translated_by"] == "archive"
    assert row["languages"] == ["es", "en"]
    assert len(row["segments"]) == 5 and row["segments"][0]["translation"]["language"] == "en"
    assert row["transcript_translation"][0]["start"] == 0.0
    assert row["chapters"].endswith(f"/recordings/{spanish.pk}/chapters.vtt")
    told = next(row for row in rows if row["id"] == story(PRIVATE_VOICE).pk)
    assert told["segments"] and told["chapters"] is None
    csv_text = body_of(client.get("/export/stories.csv")).decode().lstrip("\ufeff")
    csv_row = next(r for r in csv.DictReader(io.StringIO(csv_text)) if r["id"] == str(spanish.pk))
    assert csv_row["title_translation"] == spanish.title_translation
    assert csv_row["languages"] == "es; en" and csv_row["chapters"] == row["chapters"]
    assert "segments" not in csv_row  # a spreadsheet links the index: the chapters track
    index = client.get("/export/").json()
    assert index["json_only_fields"] == ["segments", "transcript_translation"]


def test_dublin_core_names_every_language_and_links_the_chapters(client, sample_archive):
    spanish = story(SPANISH)
    response = client.get(
        "/oai/",
        {
            "verb": "GetRecord",
            "metadataPrefix": "oai_dc",
            "identifier": f"oai:perspectives.example.org:story/{spanish.pk}",
        },
    )
    tree = etree.fromstring(response.content)
    assert [e.text for e in tree.iter(f"{DC}language")] == ["es", "en"]
    relations = [e.text for e in tree.iter(f"{DC}relation")]
    assert f"http://testserver/recordings/{spanish.pk}/chapters.vtt" in relations
    # A story in one language only says one.
    english_only = Story.objects.published().filter(
        recording=None, language="en", title_translation="", body_translation="",
        summary_translation="",
    ).first()  # fmt: skip
    record = client.get(f"/api/v1/stories/{english_only.pk}/").json()
    assert record["dublin_core"]["language"] == ["en"]
    assert record["translation"] is None and record["segments"] == []
