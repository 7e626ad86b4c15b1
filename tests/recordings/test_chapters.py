"""The recording's index on the story page and as the player's chapters track
(docs/listening.md, "The recording's index")."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stories.models import IndexSegment, Story, Theme

from ..factories import give_recording, make_published, make_story

pytestmark = pytest.mark.django_db


def index(story, *segments):
    """Give ``story`` the index ``segments``: (seconds, title, {field: value, "themes": [...]})."""
    made = []
    for seconds, title, fields in segments:
        theme_slugs = fields.pop("themes", ())
        segment = IndexSegment(start=datetime.timedelta(seconds=seconds), title=title, **fields)
        themes = Theme.objects.filter(slug__in=theme_slugs)
        segment.theme_ids = list(themes.values_list("pk", flat=True))
        made.append(segment)
    return IndexSegment.replace_index(story, made)


def indexed_story(language="en", **fields):
    story = make_published(language=language, **fields)
    give_recording(story, cleared=True, transcript=[(0, "First words"), (1, "Then more")])
    index(
        story,
        (0, "Arriving", {"synopsis": "The first day.", "keywords": "bus, folder"}),
        (
            1.25,
            "La clínica <b>gratuita</b>",
            {
                "title_translation": "The free clinic",
                "synopsis_translation": "A lawyer, for nothing.",
                "keywords_translation": "lawyer, clinic",
                "synopsis": "Una abogada, gratis.",
                "keywords": "abogada, clínica",
                "themes": ["legal-aid", "community-trust"],
            },
        ),
    )
    return story


# --- The chapters track -------------------------------------------------------------


def test_the_chapters_track_is_the_index_titles_in_webvtt(client):
    story = indexed_story()
    response = client.get(f"/recordings/{story.pk}/chapters.vtt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vtt; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    # Each title from its start to the next one's, the last to the recording's end (2 s);
    # in the recording's language, whatever the reader's, and escaped.
    assert response.content.decode() == (
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:01.250\nArriving\n\n"
        "00:00:01.250 --> 00:00:02.000\nLa clínica &lt;b&gt;gratuita&lt;/b&gt;\n"
    )
    assert client.get(f"/es/recordings/{story.pk}/chapters.vtt").status_code == 404


def test_a_cue_cannot_be_ended_by_a_title():
    story = indexed_story()
    IndexSegment.objects.filter(story=story, title="Arriving").update(title="A --> B\n\nWEBVTT")
    webvtt = IndexSegment.objects.filter(story=story).as_webvtt(duration=2)
    assert "A --&gt; B" in webvtt
    assert webvtt.count("-->") == 2


def test_a_voice_kept_private_has_its_chapters_without_the_recording_length(client):
    story = indexed_story()
    story.keep_voice_private()
    webvtt = client.get(f"/recordings/{story.pk}/chapters.vtt").content.decode()
    assert "00:00:01.250 --> 00:00:06.250\nLa clínica" in webvtt  # 5 seconds, not the audio's 2
    assert client.get(f"/recordings/{story.pk}/").status_code == 404


@pytest.mark.parametrize(
    "hide",
    [
        lambda story, moderator: Story.objects.filter(pk=story.pk).update(
            status=Story.Status.PENDING
        ),
        lambda story, moderator: Story.objects.filter(pk=story.pk).update(
            status=Story.Status.REJECTED
        ),
        lambda story, moderator: story.withdraw(),
        lambda story, moderator: story.recording.set_cleared(False, by=moderator),
        lambda story, moderator: story.index_segments.all().delete(),
    ],
    ids=["pending", "rejected", "withdrawn", "not cleared", "no index"],
)
def test_no_chapters_where_the_transcript_is_not_public(client, moderator, hide):
    story = indexed_story()
    hide(story, moderator)
    assert client.get(f"/recordings/{story.pk}/chapters.vtt").status_code == 404
    assert client.get("/recordings/999999/chapters.vtt").status_code == 404


def test_a_story_never_published_has_no_chapters(client):
    story = make_story()
    give_recording(story, cleared=True)
    index(story, (0, "Hidden", {}))
    assert client.get(f"/recordings/{story.pk}/chapters.vtt").status_code == 404


# --- The chapter list on the story page -----------------------------------------------


def chapter(html, moment):
    """The chapter list's item ``moment`` ("t=1.250") in the page ``html``."""
    item = html[html.index(f'<li id="{moment}"') :]
    return item[: item.index("</li>")]


def test_the_story_page_lists_the_index_beside_the_player(client):
    story = indexed_story()
    html = client.get(story.get_absolute_url()).content.decode()
    assert (
        f'<track kind="chapters" src="/recordings/{story.pk}/chapters.vtt" srclang="en" '
        'label="Index of the recording">'
    ) in html
    assert "Index of the recording (2 segments)" in html
    # Each segment has its moment as its id, and its time is a link into the recording.
    assert '<li id="t=0.000" data-start="0.000">' in html
    assert '<li id="t=1.250" data-start="1.250">' in html
    assert f'href="/recordings/{story.pk}/#t=1.250"' in html
    assert '<p class="chapter-title" lang="en">Arriving</p>' in html
    assert '<p class="chapter-synopsis" lang="en">The first day.</p>' in html
    assert '<span lang="en">bus, folder</span>' in html
    assert '<a href="/themes/community-trust/">Community trust</a>' in html
    assert '<a href="/themes/legal-aid/">Legal aid</a>' in html
    assert "&lt;b&gt;gratuita&lt;/b&gt;" in html and "<b>gratuita" not in html


def test_a_segment_in_the_readers_language_shows_as_written(client):
    """On /, an English story's segments are shown as written, with no translation label."""
    story = indexed_story()
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Translated by the archive" not in chapter(html, "t=1.250")
    assert '<p class="chapter-title" lang="en">La clínica &lt;b&gt;gratuita&lt;/b&gt;</p>' in html


def test_a_translated_segment_shows_the_translation_first_labelled(client):
    story = indexed_story(language="es")
    html = client.get(story.get_absolute_url()).content.decode()
    segment = chapter(html, "t=1.250")
    assert segment.index('<p class="chapter-title" lang="en">The free clinic</p>') < segment.index(
        "<details"
    )
    assert '<span lang="en">lawyer, clinic</span>' in segment
    assert "<summary>Translated by the archive from Spanish. See the original</summary>" in segment
    original = '<p class="chapter-title" lang="es">La clínica &lt;b&gt;gratuita&lt;/b&gt;</p>'
    assert original in segment
    assert '<p class="chapter-synopsis" lang="es">Una abogada, gratis.</p>' in segment
    # A segment with no translation: the original, said in its own language.
    first = chapter(html, "t=0.000")
    assert '<p class="chapter-title" lang="es">Arriving</p>' in first
    assert "<details" not in first


def test_the_other_way_on_the_spanish_pages(client):
    story = indexed_story(language="en")
    index(
        story,
        (
            49.5,
            "A lawyer from a free clinic",
            {"title_translation": "Una abogada de una clínica gratuita", "themes": ["legal-aid"]},
        ),
    )
    html = client.get("/es" + story.get_absolute_url()).content.decode()
    assert "Índice de la grabación (1 segmento)" in html
    assert '<p class="chapter-title" lang="es">Una abogada de una clínica gratuita</p>' in html
    assert "<summary>Traducido del inglés por el archivo. Ver el original</summary>" in html
    assert '<p class="chapter-title" lang="en">A lawyer from a free clinic</p>' in html
    legal_aid = Theme.objects.get(slug="legal-aid")
    assert f'<a href="/es/themes/legal-aid/">{legal_aid.name_es}</a>' in html


def test_a_voice_kept_private_lists_its_index_with_times_as_text(client):
    story = indexed_story()
    story.keep_voice_private()
    html = client.get(story.get_absolute_url()).content.decode()
    assert "<audio" not in html and "chapters.vtt" not in html
    assert '<li id="t=1.250" data-start="1.250">' in html
    assert '<span class="chapter-time">0:01</span>' in html
    assert f"/recordings/{story.pk}/" not in html


def test_no_index_without_a_cleared_recording(client, moderator):
    story = indexed_story()
    story.recording.set_cleared(False, by=moderator)
    html = client.get(story.get_absolute_url() + "?uncleared").content.decode()
    assert "data-recording-index" not in html and "Arriving" not in html


def test_a_segments_link_lands_on_its_chapter(client):
    story = indexed_story()
    segment = story.index_segments.last()
    assert segment.get_absolute_url() == f"{story.get_absolute_url()}#t=1.250"
    html = client.get(story.get_absolute_url()).content.decode()
    assert f'id="{segment.moment}"' in html


def test_the_index_queries_do_not_grow_with_its_length(client):
    story = indexed_story()

    def queries(address):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(address).status_code == 200
        return len(captured)

    before = queries(story.get_absolute_url() + "?short")
    index(story, *((n, f"Segment {n}", {"themes": ["legal-aid", "belonging"]}) for n in range(30)))
    assert queries(story.get_absolute_url() + "?long") == before


def test_a_segment_whose_title_is_not_translated_shows_the_original(client):
    """Half translated (its synopsis only): shown as told, not in two languages at once."""
    story = make_published(language="es")
    give_recording(story, cleared=True, transcript=[(0, "Palabras")])
    index(story, (0, "Llegar", {"synopsis": "El primer día.", "synopsis_translation": "Day one."}))
    item = chapter(client.get(story.get_absolute_url()).content.decode(), "t=0.000")
    assert '<p class="chapter-title" lang="es">Llegar</p>' in item
    assert '<p class="chapter-synopsis" lang="es">El primer día.</p>' in item
    assert "Day one." not in item and "<details" not in item
