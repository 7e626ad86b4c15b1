"""The archive's translations as readers meet them (docs/languages.md, "Translations"): the
story's text and title, the transcript, the caption tracks, and the narrator's private page."""

import datetime
import re
from html import unescape

import pytest

from stories.models import IndexSegment, Story, TranscriptSegment, hash_withdrawal_token

from ..factories import give_recording, make_published
from ..readers import open_link

pytestmark = pytest.mark.django_db

SPOKEN = ["Llevábamos seis años trabajando juntos.", "Esa mañana llegué tarde."]
TRANSLATED = ["We had worked together for six years.", "That morning I got there late."]


def translated_story(**fields):
    """A Spanish story told aloud, its title, text and transcript translated into English."""
    fields = {
        "language": "es",
        "title": "La mañana que se lo llevaron",
        "title_translation": "The morning they took him",
        "body": " ".join(SPOKEN),
        "body_translation": " ".join(TRANSLATED),
        **fields,
    }
    story = make_published(**fields)
    give_recording(story, cleared=True, transcript=[(0, SPOKEN[0]), (4.5, SPOKEN[1])])
    for segment, words in zip(story.transcript.all(), TRANSLATED, strict=True):
        segment.text_translation = words
        segment.save()
    return story


def page(client, story, prefix=""):
    response = client.get(prefix + story.get_absolute_url())
    assert response.status_code == 200
    return unescape(response.content.decode())


def between(html, start, end):
    at = html.index(start)
    return html[at : html.index(end, at)]


def test_in_english_the_translation_comes_first_labelled_the_original_one_click_away(client):
    html = page(client, translated_story())
    views = between(html, 'data-tablist-label="Translation or original"', "</div>")
    assert views.index('href="#translation"') < views.index('href="#original"')
    assert ">English translation</a>" in views and ">Original (Spanish)</a>" in views
    # Both views follow each other on the page, the translation first, each in its language.
    translation = between(html, 'id="translation"', "</div>")
    assert 'lang="en"' in translation
    assert "Translated by the archive from Spanish — not the narrator's own words" in translation
    assert TRANSLATED[0] in translation
    original = between(html, 'id="original"', "</div>")
    assert SPOKEN[0] in original and "Translated" not in original
    assert html.index('id="translation"') < html.index('id="original"')
    assert "The archive's translation is shown first" in html


def test_in_spanish_the_original_comes_first_and_the_title_is_not_repeated(client):
    story = translated_story()
    html = page(client, story, "/es")
    views = between(html, 'data-tablist-label="Traducción u original"', "</div>")
    assert views.index('href="#original"') < views.index('href="#translation"')
    assert ">Original (español)</a>" in views and ">Traducción al inglés</a>" in views
    assert html.index('id="original"') < html.index('id="translation"')
    assert "Traducido del español por el archivo — no son las palabras del narrador" in html
    # Not repeated to readers (the head's structured data names it as the work's translation).
    assert "The morning they took him" not in html.split("</head>", 1)[1]
    assert 'class="title-translation"' not in html


def test_the_narrators_title_stays_the_heading_the_translated_one_under_it_labelled(client):
    html = page(client, translated_story())
    header = between(html, "<h1>", "</header>")
    assert "<h1>La mañana que se lo llevaron</h1>" in header
    assert (
        '<p class="title-translation" lang="en"><span class="translation-label" lang="en">'
        "Translated by the archive from Spanish:</span> The morning they took him</p>"
    ) in header


def test_an_english_story_translated_into_spanish_reads_the_other_way_round(client):
    story = make_published(
        language="en",
        title="The morning",
        title_translation="La mañana",
        body="It rained.",
        body_translation="Llovía.",
    )
    english, spanish = page(client, story), page(client, story, "/es")
    assert english.index('id="original"') < english.index('id="translation"')
    assert spanish.index('id="translation"') < spanish.index('id="original"')
    assert '<div class="story-text translated-text" id="translation" lang="es"' in spanish
    assert "Traducido del inglés por el archivo" in spanish
    assert ">Traducción al español</a>" in spanish and ">Original (inglés)</a>" in spanish
    label = '<span class="translation-label" lang="es">Traducido del inglés por el archivo:'
    assert label in spanish
    assert "La mañana</p>" in spanish and "La mañana</p>" not in english


def test_a_story_without_a_translation_has_no_views_of_it(client):
    story = make_published(language="es", body="Llovía.")
    html = page(client, story)
    assert 'id="translation"' not in html and "data-originals-note" not in html
    assert "It is shown in the language its narrator told it in." in html


def test_the_transcript_in_the_readers_language_gives_the_translation_first(client):
    html = page(client, translated_story())
    transcript = between(html, '<ol class="transcript"', "</ol>")
    first = between(transcript, "<li", "</li>")
    assert first.index(TRANSLATED[0]) < first.index(SPOKEN[0])
    assert f'<p class="transcript-translation" lang="en">{TRANSLATED[0]}</p>' in first
    assert f'<p class="transcript-original">{SPOKEN[0]}</p>' in first
    # Labelled once, above it, with the toggle listen.js shows.
    note = between(html, "data-originals-note", "</div>")
    assert "Translated by the archive from Spanish — not the narrator" in note
    assert "data-originals-toggle" in note and "Show the original Spanish" in note
    assert html.count("data-originals-note") == 1
    # On the Spanish site the transcript is the narrator's words alone.
    spanish = page(client, TranscriptSegment.objects.first().story, "/es")
    assert TRANSLATED[0] not in between(spanish, '<ol class="transcript"', "</ol>")
    assert "data-originals-note" not in spanish


def test_a_paragraph_not_translated_shows_its_original_alone(client):
    story = translated_story()
    TranscriptSegment.objects.filter(story=story, text=SPOKEN[1]).update(text_translation="")
    html = page(client, story)
    second = between(html, 'data-start="4.500"', "</li>")
    assert f"<p>{SPOKEN[1]}</p>" in second and "transcript-translation" not in second


def test_a_voice_kept_private_shows_the_translated_transcript_too(client):
    story = translated_story()
    story.keep_voice_private()
    html = page(client, story)
    assert "transcript-only" in html
    assert f'<p class="transcript-translation" lang="en">{TRANSLATED[0]}</p>' in html
    assert "data-originals-note" in html
    assert "captions.translation.vtt" not in html  # no player, no tracks


def test_the_player_has_both_tracks_neither_shown_uninvited(client):
    story = translated_story()
    for prefix in ("", "/es"):
        html = page(client, story, prefix)
        tracks = re.findall(r"<track [^>]*>", html)
        assert tracks == [
            f'<track kind="captions" src="/recordings/{story.pk}/captions.vtt" srclang="es" '
            'label="Español">',
            f'<track kind="subtitles" src="/recordings/{story.pk}/captions.translation.vtt" '
            'srclang="en" label="English (translated by the archive)">',
        ]


def test_translated_captions_keep_the_original_times_and_leave_out_what_is_not_translated(
    client,
):
    story = translated_story()
    story.transcript.create(start=datetime.timedelta(seconds=9), text="Y nada más.")
    response = client.get(f"/recordings/{story.pk}/captions.translation.vtt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vtt; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    assert text == (
        "WEBVTT\n\n"
        "NOTE Translated by the archive from Spanish — not the narrator's own words\n\n"
        f"00:00:00.000 --> 00:00:04.500\n{TRANSLATED[0]}\n\n"
        f"00:00:04.500 --> 00:00:09.000\n{TRANSLATED[1]}\n"
    )
    original = client.get(f"/recordings/{story.pk}/captions.vtt").content.decode()
    assert "00:00:04.500 --> 00:00:09.000\nEsa mañana" in original


def test_translated_captions_are_404_without_a_translation_or_a_heard_recording(client):
    untranslated = make_published(language="es")
    give_recording(untranslated, cleared=True, transcript=[(0, "Hola")])
    assert client.get(f"/recordings/{untranslated.pk}/captions.translation.vtt").status_code == 404
    assert "captions.translation.vtt" not in page(client, untranslated)
    uncleared = translated_story()
    uncleared.recording.set_cleared(False, by=None)
    assert client.get(f"/recordings/{uncleared.pk}/captions.translation.vtt").status_code == 404
    private = translated_story(title="Otra")
    private.keep_voice_private()
    assert client.get(f"/recordings/{private.pk}/captions.translation.vtt").status_code == 404
    hidden = translated_story(title="Escondida")
    hidden.withdraw()
    assert client.get(f"/recordings/{hidden.pk}/captions.translation.vtt").status_code == 404
    assert client.get("/recordings/999999/captions.translation.vtt").status_code == 404


def test_the_translated_transcript_downloads_say_what_they_are(client):
    story = translated_story()
    html = page(client, story)
    assert "Download the archive's English translation:" in html
    assert f'href="/transcripts/{story.pk}.translation.txt" download' in html
    text = client.get(f"/transcripts/{story.pk}.translation.txt")
    assert text["Content-Disposition"] == (
        f'attachment; filename="story-{story.pk}-transcript-translated-en.txt"'
    )
    assert text.content.decode() == (
        "Translated by the archive from Spanish — not the narrator's own words\n\n"
        f"[0:00]\n{TRANSLATED[0]}\n\n[0:04]\n{TRANSLATED[1]}\n"
    )
    # In the translation's language whatever the page's: the file leaves the page behind.
    webvtt = client.get(f"/transcripts/{story.pk}.translation.vtt", HTTP_ACCEPT_LANGUAGE="es")
    assert webvtt["Content-Disposition"].endswith(f'story-{story.pk}-transcript-translated-en.vtt"')
    assert webvtt.content.decode().startswith(
        "WEBVTT\n\nNOTE Translated by the archive from Spanish — not the narrator's own words"
    )
    # A voice kept private: what it said, translated, is read too; without a translation, 404.
    story.keep_voice_private()
    assert client.get(f"/transcripts/{story.pk}.translation.txt").status_code == 200
    TranscriptSegment.objects.filter(story=story).update(text_translation="")
    for extension in ("txt", "vtt"):
        assert client.get(f"/transcripts/{story.pk}.translation.{extension}").status_code == 404
    assert "Download the archive's" not in page(client, story)


def test_the_translated_page_keeps_the_query_budget(client, django_assert_max_num_queries):
    story = translated_story()
    for prefix in ("", "/es"):
        with django_assert_max_num_queries(10):
            page(client, story, prefix)


def test_the_private_page_says_what_the_archive_translated(client):
    story = translated_story()
    IndexSegment.objects.create(
        story=story, start=datetime.timedelta(0), title="Inicio", title_translation="Beginning"
    )
    token = "t" * 43
    Story.objects.filter(pk=story.pk).update(withdrawal_token_hash=hash_withdrawal_token(token))
    open_link(client, token, "/es")
    html = client.get("/es/my-story/").content.decode()
    section = between(html, 'id="translation-heading"', "</section>")
    assert "El archivo tradujo al inglés:" in section
    for part in (
        "su título, su texto o su resumen",
        "la transcripción de su grabación",
        "el índice de su grabación",
    ):
        assert part in section
    assert "«Traducido del español por el archivo»" in section


def test_the_private_page_of_an_untranslated_story_says_nothing_of_translation(client):
    story = make_published(language="es")
    token = "u" * 43
    Story.objects.filter(pk=story.pk).update(withdrawal_token_hash=hash_withdrawal_token(token))
    open_link(client, token)
    assert 'id="translation-heading"' not in client.get("/my-story/").content.decode()
