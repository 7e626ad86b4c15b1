"""
A narrator's voice (issue 21): the choice made with a recording, "publish my
recording" or "keep my voice private and publish only a transcript". A voice
kept private is never served, on any road, cleared or not (DESIGN.md); the
choice is made more private only; moderators still hear it in the admin.
"""

import json

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stories.models import Perspective, QuestionPrompt, Story
from stories.moderators import MODERATORS_GROUP

from ..factories import (
    admin_edit,
    give_recording,
    make_published,
    make_story,
    open_share_step,
    post_share,
    share_data,
    wav_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def transcript_only(moderator):
    """A visible story whose narrator kept the voice private: cleared and transcribed."""
    story = make_published(title="Only the words", perspective="immigrants")
    give_recording(
        story, cleared=True, by=moderator, transcript=[(0, "Words first"), (65, "Words later")]
    )
    story.keep_voice_private()
    return Story.objects.get(pk=story.pk)


# --- The model: one way, recorded ---


def test_keeping_a_voice_private_is_one_way_and_recorded_as_the_narrators():
    story = make_story(voice=Story.Voice.PUBLISHED)
    assert story.keep_voice_private() is True
    assert story.voice == Story.Voice.PRIVATE
    assert Story.objects.get(pk=story.pk).voice == Story.Voice.PRIVATE
    event = story.events.get(note="Voice kept private: transcript only")
    assert event.actor is None  # the narrator
    assert story.keep_voice_private() is False  # already private: nothing more to record
    assert story.events.filter(note__startswith="Voice").count() == 1
    # No method makes it public again, and the field is not in any form.
    assert not [name for name in dir(Story) if "voice" in name and "public" in name]
    assert not Story._meta.get_field("voice").editable


def test_a_moderator_cannot_make_a_private_voice_public_in_the_admin(
    moderator_client, transcript_only
):
    admin_edit(moderator_client, transcript_only, voice=Story.Voice.PUBLISHED)
    transcript_only.refresh_from_db()
    assert transcript_only.voice == Story.Voice.PRIVATE


def test_the_public_gateway_to_recordings_leaves_out_a_private_voice(transcript_only):
    heard = make_published(title="Heard")
    give_recording(heard, cleared=True)
    assert list(Story.objects.published().with_public_recording()) == [heard]
    assert transcript_only.public_recording is None
    assert transcript_only.cleared_recording is not None


# --- Every road ---


def test_no_audio_road_answers_for_a_private_voice(client, transcript_only):
    story_id = transcript_only.pk
    for path in (f"/recordings/{story_id}/", f"/recordings/{story_id}/captions.vtt"):
        assert client.get(path).status_code == 404
        assert client.get(path, HTTP_RANGE="bytes=0-10").status_code == 404


def test_the_same_story_published_plays_until_its_narrator_keeps_the_voice_private(
    client, page_cache
):
    story = make_published(title="Heard, then kept", voice=Story.Voice.PUBLISHED)
    give_recording(story, cleared=True, transcript=[(0, "Said aloud")])
    page = story.get_absolute_url()
    assert client.get(f"/recordings/{story.pk}/").status_code == 200
    assert "<audio" in client.get(page).content.decode()  # and now in the page cache
    story.keep_voice_private()
    assert client.get(f"/recordings/{story.pk}/").status_code == 404
    html = client.get(page).content.decode()
    assert "<audio" not in html and f"/recordings/{story.pk}/" not in html
    assert "Said aloud" in html


def test_the_story_page_shows_a_private_voice_as_its_transcript_only(client, transcript_only):
    for prefix, heading in (("", "Transcript of the recording"), ("/es", "Transcripción")):
        html = client.get(prefix + transcript_only.get_absolute_url()).content.decode()
        assert heading in html
        assert "Words first" in html and "Words later" in html
        assert "1:05" in html  # the time, as plain text
        assert "<audio" not in html and "listen.js" not in html
        assert "/recordings/" not in html


def test_a_private_voice_before_it_is_cleared_shows_nothing_of_the_recording(client):
    story = make_published(title="Waiting to be heard", voice=Story.Voice.PRIVATE)
    give_recording(story, cleared=False, transcript=[(0, "Zqnotyet")])
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Zqnotyet" not in html and "Transcript" not in html


def test_cards_api_exports_feeds_and_oai_carry_no_private_voice(client, transcript_only):
    path = f"/recordings/{transcript_only.pk}/"
    for url in (
        "/",
        "/stories/",
        "/stories/?recording=on",
        "/search/?q=words",
        "/perspectives/immigrants/",
        f"/api/v1/stories/{transcript_only.pk}/",
        "/api/v1/stories/",
        "/export/stories.csv",
        "/export/stories.json",
        "/feeds/stories.rss",
        "/feeds/stories.atom",
        "/oai/?verb=ListRecords&metadataPrefix=oai_dc",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode()
        assert path not in text, url
        assert transcript_only.recording.stored_as not in text, url
        assert "card-listen" not in text, url
    record = json.loads(client.get(f"/api/v1/stories/{transcript_only.pk}/").content)
    assert record["recording"] is None


def test_moderators_still_hear_a_private_voice_and_see_the_badge(moderator_client, transcript_only):
    story = transcript_only
    response = moderator_client.get(f"/admin/stories/story/{story.pk}/recording/")
    assert response.status_code == 200
    for url in (
        f"/admin/stories/story/{story.pk}/change/",
        f"/admin/stories/story/{story.pk}/review/",
        "/admin/stories/story/",
    ):
        assert "Voice private: transcript only" in moderator_client.get(url).content.decode()
    pending = make_story(title="Waiting, voice private", voice=Story.Voice.PRIVATE)
    give_recording(pending)
    desk = moderator_client.get("/admin/stories/story/desk/").content.decode()
    assert "Voice private: transcript only" in desk


# --- The share form ---


def test_a_recording_needs_the_voice_choice_and_is_kept_while_it_is_asked(client):
    response = post_share(client, {**share_data(voice=None), "recording": wav_upload()})
    assert response.status_code == 200
    assert not Story.objects.exists()
    form = response.context["form"]
    assert form.has_error("voice", "voice_needed")
    assert form.held_recording is not None  # not asked for again
    assert post_share(client, share_data(voice="private")).status_code == 302
    story = Story.objects.get()
    assert story.voice == Story.Voice.PRIVATE
    assert story.recording.pk == form.held_recording.pk


def test_without_a_recording_the_voice_choice_is_ignored(client):
    assert post_share(client, share_data(voice="private")).status_code == 302
    assert Story.objects.get().voice == ""
    assert post_share(client, share_data(title="No voice", voice=None)).status_code == 302


def test_the_chosen_voice_is_stored_with_the_new_consent(client):
    data = {**share_data(voice="published"), "recording": wav_upload()}
    assert post_share(client, prefix="/es", data=data).status_code == 302
    story = Story.objects.get()
    assert (story.voice, story.consent.version, story.consent_language) == (
        Story.Voice.PUBLISHED,
        "2026-12",
        "es",
    )
    assert "recording" in story.consent.text_en and "grabación" in story.consent.text_es


def voice_choices_offered(html):
    return sorted(("private", "published"), key=lambda value: html.index(f'value="{value}"'))


def test_an_anonymous_narrator_is_offered_the_private_voice_first(client):
    with_recording = {**share_data(), "recording": wav_upload()}
    # Before anything is said, privacy first; nothing is chosen.
    html = open_share_step(client, "about-you", with_recording).content.decode()
    assert voice_choices_offered(html) == ["private", "published"]
    assert 'value="private" checked' not in html and 'value="published" checked' not in html
    # Back on the step after choosing: the order follows the choice made.
    for appear, first in (("anonymous", "private"), ("named", "published")):
        open_share_step(client, "check", {**with_recording, "appear": appear})
        html = client.get("/share/about-you/").content.decode()
        assert voice_choices_offered(html)[0] == first


def test_the_form_warns_that_a_voice_identifies_its_speaker_in_both_languages(client):
    with_recording = {**share_data(), "recording": wav_upload()}
    english = open_share_step(client, "about-you", with_recording).content.decode()
    assert "A voice can identify the person speaking" in english
    spanish = open_share_step(client, "about-you", with_recording, prefix="/es").content.decode()
    assert "Una voz puede revelar quién habla" in spanish
    assert "Mantener mi voz privada" in spanish


def test_the_consent_summary_is_above_the_box_and_the_whole_text_a_tap_away(client):
    for prefix, summary, whole in (
        ("", "A voice can identify you.", "Read the whole consent text"),
        ("/es", "Una voz puede revelar quién es usted.", "Lea el texto completo"),
    ):
        html = open_share_step(client, "check", prefix=prefix).content.decode()
        assert summary in html
        assert html.index(summary) < html.index('<details class="consent-whole">')
        assert whole in html
        assert html.index("</details>") < html.index('name="consent"')


# --- Question prompts and perspectives ---


def test_prompts_are_shown_in_the_readers_language_grouped_by_perspective(client):
    QuestionPrompt.objects.create(text="Zq only in English?", display_order=999)
    QuestionPrompt.objects.create(text="Zq hidden?", text_es="¿Zq oculta?", active=False)
    english = open_share_step(client, "story").content.decode()
    assert "When did you first hear the word sanctuary?" in english
    assert "Tell us about a day that changed how you see the police." in english
    assert "Tell us about a call where the policy made a difference." in english
    assert "Zq only in English?" in english and "Zq hidden?" not in english
    spanish = open_share_step(client, "story", prefix="/es").content.decode()
    assert "¿Cuándo escuchó por primera vez la palabra santuario?" in spanish
    assert '<li lang="en">Zq only in English?</li>' in spanish
    assert "¿Zq oculta?" not in spanish
    assert "¿No sabe por dónde empezar?" in spanish
    assert spanish.index("Si habla como: Fuerzas del orden") < spanish.index(
        "Cuéntenos de una llamada"
    )


def test_each_perspective_is_described_under_its_button(client):
    html = open_share_step(client, "where-you-stand").content.decode()
    assert "says nothing about anyone&#x27;s immigration status" in html
    assert 'aria-describedby="id_perspective_0_description"' in html
    assert 'id="id_perspective_0_description"' in html
    spanish = open_share_step(client, "where-you-stand", prefix="/es").content.decode()
    assert "Personas que llegaron a Los Ángeles" in spanish


def test_moderators_edit_the_prompts_in_the_admin(moderator_client):
    group = Group.objects.get(name=MODERATORS_GROUP)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"add_questionprompt", "change_questionprompt", "delete_questionprompt"} <= codenames
    response = moderator_client.post(
        "/admin/stories/questionprompt/add/",
        {
            "text": "What did your grandmother say about the police?",
            "text_es": "¿Qué decía su abuela de la policía?",
            "perspective": "",
            "display_order": "1",
            "active": "on",
        },
    )
    assert response.status_code == 302
    prompt = QuestionPrompt.objects.get(text__startswith="What did your grandmother")
    assert prompt.perspective is None
    story_step = "/share/story/"
    open_share_step(moderator_client, "story")
    assert "What did your grandmother" in moderator_client.get(story_step).content.decode()
    moderator_client.post(
        f"/admin/stories/questionprompt/{prompt.pk}/change/",
        {"text": prompt.text, "text_es": prompt.text_es, "display_order": "1"},
    )
    prompt.refresh_from_db()
    assert not prompt.active
    moderator_client.get("/admin/")  # shows the admin's message, which names the prompt
    assert "What did your grandmother" not in moderator_client.get(story_step).content.decode()


def test_the_share_page_reads_its_prompts_in_one_query(client, django_assert_max_num_queries):
    open_share_step(client, "story", prefix="/es")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/es/share/story/").status_code == 200
        return len(captured)

    few = queries()
    for perspective in Perspective.objects.all():
        QuestionPrompt.objects.bulk_create(
            QuestionPrompt(text=f"Question {n}?", perspective=perspective) for n in range(5)
        )
    assert queries() == few
    with django_assert_max_num_queries(10):
        client.get("/share/story/")
