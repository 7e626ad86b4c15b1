"""Recorded testimony: uploaded, checked, held through review, guarded until cleared."""

import datetime
import re

import feedparser
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from lxml import etree

from stories.models import ModerationEvent, Recording, Story, TranscriptSegment, recordings_storage

from ..factories import (
    SHARE_URL,
    admin_form_data,
    give_recording,
    make_published,
    make_story,
    post_share,
    share_data,
    wav_bytes,
    wav_upload,
)

pytestmark = pytest.mark.django_db

WEBVTT = """WEBVTT

00:00.000 --> 00:04.000
<v Rosa>When the city said it would not ask about papers,

00:04.000 --> 00:09.500
my mother finally went to the clinic.
"""


def stored(recording):
    with recording.open() as file:
        return file.read()


# --- The share form ---------------------------------------------------------


def test_a_story_sent_with_a_recording_keeps_it_private_and_unnamed(client):
    upload = wav_upload(seconds=2.0, name="rosa-martinez-boyle-heights.wav")
    response = post_share(client, {**share_data(), "recording": upload})
    assert response.status_code == 302
    story = Story.objects.get()
    recording = story.recording
    assert recording.mime_type == "audio/wav"
    assert recording.duration == pytest.approx(2.0)
    assert recording.size == len(stored(recording))
    assert not recording.is_cleared
    # The name the narrator's file had is kept nowhere.
    assert "rosa" not in recording.stored_as.lower()
    assert recording.stored_as.startswith("recordings/") and recording.stored_as.endswith(".wav")
    assert stored(recording)[:4] == b"RIFF"


def test_a_text_file_named_mp3_is_refused_and_the_rest_of_the_form_is_kept(client):
    fake = SimpleUploadedFile("story.mp3", b"not audio at all\n" * 200, content_type="audio/mpeg")
    response = post_share(client, {**share_data(), "recording": fake})
    assert response.status_code == 200
    html = response.content.decode()
    assert "This file is not a recording we can take" in html
    assert share_data()["body"].split(".")[0] in html  # the step's written words, kept
    assert not Story.objects.exists()
    assert not Recording.objects.exists()


def test_a_recording_over_the_size_limit_is_refused_without_being_kept(client, settings):
    settings.RECORDING_MAX_BYTES = 10_000
    response = post_share(client, {**share_data(), "recording": wav_upload(seconds=2.0)})
    assert response.status_code == 200
    assert "This recording is too large: send one of at most 0 MB." in response.content.decode()
    assert not Recording.objects.exists()
    assert not Story.objects.exists()


def test_the_recording_limit_is_not_the_limit_on_fields(client, settings):
    """A recording larger than DATA_UPLOAD_MAX_MEMORY_SIZE is fine: files are not fields."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000
    response = post_share(client, {**share_data(), "recording": wav_upload(seconds=3.0)})
    assert response.status_code == 302
    assert Story.objects.get().recording.size > 20_000


def test_a_recording_is_held_through_the_identity_shield_review(client, recordings_on_disk):
    risky = share_data(body=share_data()["body"] + " Call me at (213) 555-0142.")
    response = post_share(client, {**risky, "recording": wav_upload()})
    assert response.status_code == 200
    html = response.content.decode()
    assert "We found 1 detail that could identify you" in html
    assert re.search(r"A recording of your story</dt>\s*<dd[^>]*>0:02</dd>", html)
    held = Recording.objects.get()
    assert held.story is None

    # The narrator sends anyway, without choosing the file again.
    response = post_share(client, {**risky, "send_anyway": "1"})
    assert response.status_code == 302
    story = Story.objects.get()
    assert story.recording.pk == held.pk
    assert list(recordings_on_disk.rglob("*.wav")) == [recordings_on_disk / held.stored_as]


def test_a_held_recording_belongs_to_its_own_draft_only(client):
    """On a shared computer, the next story never carries the last one's recording:
    starting again erases the draft and the recording held for it."""
    risky = share_data(body=share_data()["body"] + " Call me at (213) 555-0142.")
    post_share(client, {**risky, "recording": wav_upload()})
    assert Recording.objects.count() == 1
    client.post(SHARE_URL, {"start_again": "1"})
    assert not Recording.objects.exists()
    response = post_share(client, {**risky, "send_anyway": "1"})
    assert response.status_code == 302
    assert not Recording.objects.exists()


def test_a_held_recording_can_be_removed(client, django_capture_on_commit_callbacks):
    risky = share_data(body=share_data()["body"] + " Call me at (213) 555-0142.")
    post_share(client, {**risky, "recording": wav_upload()})
    held = Recording.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_share(
            client,
            {**risky, "send_anyway": "1", "remove_recording": "on"},
        )
    assert response.status_code == 302
    assert not Recording.objects.exists()
    assert not recordings_storage().exists(held.stored_as)
    assert Story.objects.get().public_recording is None


def test_uploads_are_rate_limited_per_client(client, settings):
    settings.RECORDING_UPLOAD_RATE_LIMIT = 2
    fake = share_data(title="")  # invalid, so nothing is sent and each post is an upload
    for _ in range(2):
        assert post_share(client, {**fake, "recording": wav_upload()}).status_code == 200
    response = post_share(client, {**fake, "recording": wav_upload()})
    assert response.status_code == 429
    assert "You have sent several recordings in a short time." in response.content.decode()
    # The second replaced the first, held for the same form; the third was not kept.
    assert Recording.objects.count() == 1
    # A story without a recording is still taken.
    assert post_share(client, share_data()).status_code == 302


# --- Recordings held for a share form: how long, and how many bytes ----------------

ONE_RECORDING = len(wav_bytes())  # wav_upload()'s size
ANOTHER_CLIENT = "198.51.100.7"


def invalid_post_with_a_recording(narrator):
    """A story with an error (no title), so its recording is held, not sent."""
    return post_share(narrator, {**share_data(title=""), "recording": wav_upload()})


def assert_refused_with_everything_typed_kept(response, status, message):
    assert response.status_code == status
    html = response.content.decode()
    assert message in html
    assert '<a href="#id_recording">' in html  # in the summary above the form
    assert 'id="id_recording_errors"' in html  # and beside the field
    assert share_data()["body"].split(".")[0] in html
    assert not Story.objects.exists()


def test_a_client_cannot_hold_more_than_its_share_of_bytes(client, settings):
    settings.RECORDING_HOLD_BYTES_PER_CLIENT = ONE_RECORDING * 3 // 2
    invalid_post_with_a_recording(client)
    # A draft may replace the recording it holds: the one replaced is not counted.
    assert invalid_post_with_a_recording(client).status_code == 200
    assert Recording.objects.count() == 1
    # Another story from the same client (another browser session, the same address).
    response = post_share(Client(), {**share_data(), "recording": wav_upload()})
    assert_refused_with_everything_typed_kept(
        response, 429, "You have sent more recordings than we can keep for you at once."
    )
    assert Recording.objects.count() == 1  # the refused one was not kept
    # Another client still may.
    invalid_post_with_a_recording(Client(REMOTE_ADDR=ANOTHER_CLIENT))
    assert Recording.objects.count() == 2


def test_the_archive_holds_no_more_than_its_bytes_in_all(client, settings):
    settings.RECORDING_HOLD_BYTES_TOTAL = ONE_RECORDING * 3 // 2
    invalid_post_with_a_recording(client)
    another = Client(REMOTE_ADDR=ANOTHER_CLIENT)
    response = post_share(another, {**share_data(), "recording": wav_upload()})
    assert_refused_with_everything_typed_kept(
        response, 503, "The archive cannot take more recordings just now."
    )
    assert Recording.objects.count() == 1
    # The story itself is taken without the recording.
    response = post_share(another, share_data())
    assert response.status_code == 302


def test_the_over_the_limit_answer_is_in_spanish_too(client, settings):
    settings.RECORDING_HOLD_BYTES_TOTAL = ONE_RECORDING // 2
    data = {**share_data(body="Mi historia, dicha en voz alta."), "recording": wav_upload()}
    response = post_share(client, data, prefix="/es")
    assert response.status_code == 503
    html = response.content.decode()
    assert "El archivo no puede recibir más grabaciones en este momento." in html
    assert "Mi historia, dicha en voz alta." in html
    assert not Recording.objects.exists()


def test_recordings_held_longer_than_an_hour_are_not_counted_and_go(
    client, settings, django_capture_on_commit_callbacks
):
    settings.RECORDING_HOLD_BYTES_PER_CLIENT = ONE_RECORDING * 3 // 2
    invalid_post_with_a_recording(client)
    old = Recording.objects.get()
    Recording.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=61))
    with django_capture_on_commit_callbacks(execute=True):
        response = invalid_post_with_a_recording(Client())
    assert response.status_code == 200
    new = Recording.objects.get()
    assert new.pk != old.pk
    assert not recordings_storage().exists(old.stored_as)


def test_a_recording_held_too_long_is_asked_for_again_never_silently_dropped(client):
    invalid_post_with_a_recording(client)
    Recording.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=61))
    response = post_share(client, share_data())
    assert response.status_code == 200
    assert "The recording you sent with this form was kept for 60 minutes only" in (
        response.content.decode()
    )
    assert not Story.objects.exists()
    # Told once: sent again, the story goes without it.
    response = post_share(client, share_data())
    assert response.status_code == 302
    assert Story.objects.get().public_recording is None


def test_the_address_a_recording_was_held_for_is_forgotten_once_its_story_is_sent(client):
    invalid_post_with_a_recording(client)
    assert Recording.objects.get().held_by
    post_share(client, share_data())
    assert Story.objects.get().recording.held_by == ""


# --- The guarded road ---------------------------------------------------------


def test_a_recording_is_heard_only_when_its_story_is_visible_and_it_is_cleared(client, moderator):
    story = make_story()
    recording = give_recording(story)
    url = f"/recordings/{story.pk}/"
    assert client.get(url).status_code == 404  # pending
    story.approve(by=moderator)
    assert client.get(url).status_code == 404  # published, not yet listened to
    recording.set_cleared(True, by=moderator)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert response["Accept-Ranges"] == "bytes"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == f'inline; filename="story-{story.pk}.wav"'
    assert b"".join(response.streaming_content) == stored(recording)
    story.return_to_review(by=moderator)
    assert client.get(url).status_code == 404


def test_the_guarded_road_answers_ranges(client, moderator):
    story = make_published()
    recording = give_recording(story, cleared=True)
    whole = stored(recording)
    response = client.get(f"/recordings/{story.pk}/", HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-199/{len(whole)}"
    assert b"".join(response.streaming_content) == whole[100:200]
    response = client.get(f"/recordings/{story.pk}/", HTTP_RANGE=f"bytes={len(whole)}-")
    assert response.status_code == 416


def test_rejected_and_embargoed_stories_recordings_are_not_found(client, moderator):
    rejected = make_story()
    give_recording(rejected, cleared=True)
    rejected.reject(by=moderator, reason="spam")
    embargoed = make_story(embargo_until=timezone.now() + datetime.timedelta(days=3))
    give_recording(embargoed, cleared=True)
    embargoed.approve(by=moderator)
    for story in (rejected, embargoed):
        assert client.get(f"/recordings/{story.pk}/").status_code == 404


def test_withdrawal_deletes_the_recording_file(client, django_capture_on_commit_callbacks):
    story = make_published()
    recording = give_recording(story, cleared=True)
    with django_capture_on_commit_callbacks(execute=True):
        story.withdraw()
    assert not Recording.objects.exists()
    assert not recordings_storage().exists(recording.stored_as)
    assert client.get(f"/recordings/{story.pk}/").status_code == 404


def test_a_recording_missing_from_storage_is_not_found_and_logged(client, caplog):
    story = make_published()
    recording = give_recording(story, cleared=True)
    recordings_storage().delete(recording.stored_as)
    assert client.get(f"/recordings/{story.pk}/").status_code == 404
    assert f"The recording of story {story.pk} is missing" in caplog.text


def test_the_web_server_can_send_the_file(client, settings):
    settings.RECORDINGS_ACCEL_REDIRECT = "/_recordings/"
    story = make_published()
    recording = give_recording(story, cleared=True)
    response = client.get(f"/recordings/{story.pk}/")
    assert response["X-Accel-Redirect"] == f"/_recordings/{recording.stored_as}"
    assert response.content == b""


def test_captions_are_the_transcript_in_webvtt(client):
    story = make_published()
    give_recording(story, cleared=True, transcript=[(0, "First words"), (1.5, "Then <more>")])
    response = client.get(f"/recordings/{story.pk}/captions.vtt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vtt; charset=utf-8"
    assert response.content.decode() == (
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:01.500\nFirst words\n\n"
        "00:00:01.500 --> 00:00:02.000\nThen &lt;more&gt;\n"
    )


def test_no_transcript_no_captions(client):
    story = make_published()
    give_recording(story, cleared=True)
    assert client.get(f"/recordings/{story.pk}/captions.vtt").status_code == 404


# --- Pages ---------------------------------------------------------------------


def test_the_story_page_plays_a_cleared_recording_with_its_transcript(client):
    story = make_published()
    give_recording(
        story, cleared=True, transcript=[(0, "First words"), (65.5, "<script>alert(1)</script>")]
    )
    html = client.get(story.get_absolute_url()).content.decode()
    player = (
        f'<audio id="recording-player" controls preload="metadata" src="/recordings/{story.pk}/"'
    )
    assert player in html
    assert f'<track kind="captions" src="/recordings/{story.pk}/captions.vtt" srclang="en"' in html
    assert 'data-start="65.500"' in html
    assert f'href="/recordings/{story.pk}/#t=65.500"' in html
    assert "1:05</a>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert "/static/js/listen.js" in html


def test_the_spanish_story_page_keeps_times_in_numbers_a_player_reads(client):
    story = make_published()
    give_recording(story, cleared=True, transcript=[(0, "Uno"), (2.25, "Dos")])
    html = client.get("/es" + story.get_absolute_url()).content.decode()
    assert 'data-start="2.250"' in html
    assert "Escuchar esta historia" in html


def test_an_uncleared_recording_and_its_transcript_are_not_on_the_page(client):
    story = make_published()
    give_recording(story, transcript=[(0, "Words not yet cleared")])
    html = client.get(story.get_absolute_url()).content.decode()
    assert "<audio" not in html
    assert "Words not yet cleared" not in html
    assert "listen.js" not in html


def test_clearing_a_recording_shows_it_on_the_cached_page(client, page_cache, moderator):
    story = make_published()
    recording = give_recording(story)
    assert "<audio" not in client.get(story.get_absolute_url()).content.decode()
    recording.set_cleared(True, by=moderator)
    assert "<audio" in client.get(story.get_absolute_url()).content.decode()


def test_lists_mark_and_filter_stories_with_a_recording(client):
    heard = make_published(title="A story you can hear")
    give_recording(heard, cleared=True)
    unheard = make_published(title="A story not yet heard")
    give_recording(unheard)
    make_published(title="A story in writing")
    html = client.get("/stories/").content.decode()
    # A card with a recording readers may hear leads to it.
    assert html.count('class="card-listen"') == 1
    assert f'href="{heard.get_absolute_url()}#listen"' in html
    response = client.get("/stories/", {"recording": "on"})
    assert [card.title for card in response.context["cards"]] == ["A story you can hear"]
    response = client.get("/search/", {"q": "story", "recording": "on"})
    assert [s.title for s in response.context["stories"]] == ["A story you can hear"]


# --- Moderation ----------------------------------------------------------------


def change_url(story):
    return f"/admin/stories/story/{story.pk}/change/"


def admin_post(client, story, **changes):
    """The story's change form as the admin shows it, with ``changes`` made."""

    return client.post(change_url(story), admin_form_data(client, story, **changes))


def test_a_moderator_uploads_then_clears_a_recording(moderator_client, moderator):
    story = make_story()
    response = admin_post(moderator_client, story, **{"recording-0-audio": wav_upload()})
    assert response.status_code == 302
    recording = Story.objects.get(pk=story.pk).recording
    assert not recording.is_cleared
    # Listened to on the page's player, then cleared.
    response = admin_post(moderator_client, story, **{"recording-0-cleared": "on"})
    assert response.status_code == 302
    recording.refresh_from_db()
    assert recording.is_cleared and recording.cleared_by == moderator
    assert ModerationEvent.objects.filter(
        story=story, note="Recording listened to and cleared", actor=moderator
    ).exists()


def test_a_new_file_is_never_cleared_by_the_save_that_brings_it(moderator_client, moderator):
    story = make_story()
    give_recording(story, cleared=True, by=moderator)
    # The box is still ticked from the file before.
    response = admin_post(moderator_client, story, **{"recording-0-audio": wav_upload(3.0)})
    assert response.status_code == 302
    recording = Story.objects.get(pk=story.pk).recording
    assert recording.duration == pytest.approx(3.0)
    assert not recording.is_cleared
    assert Recording.objects.count() == 1


def test_a_recording_cannot_be_cleared_before_it_is_saved(moderator_client):
    story = make_story()
    response = admin_post(
        moderator_client,
        story,
        **{"recording-0-audio": wav_upload(), "recording-0-cleared": "on"},
    )
    assert response.status_code == 200
    assert "Save the recording first, listen to all of it" in response.content.decode()


def test_clearing_a_recording_dates_its_story_as_changed(moderator):
    story = make_published()
    recording = give_recording(story)
    before = Story.objects.get(pk=story.pk).updated_at
    recording.set_cleared(True, by=moderator)
    assert Story.objects.get(pk=story.pk).updated_at > before


def test_the_admin_refuses_a_file_that_is_not_audio(moderator_client):
    story = make_story()
    fake = SimpleUploadedFile("x.wav", b"RIFF....WAVEnope", content_type="audio/wav")
    response = admin_post(moderator_client, story, **{"recording-0-audio": fake})
    assert response.status_code == 200
    assert "This recording is empty or could not be read." in response.content.decode()
    assert not Recording.objects.filter(story=story).exists()


def test_moderators_listen_before_anyone_else(client, moderator_client):
    story = make_story()
    recording = give_recording(story)
    url = f"/admin/stories/story/{story.pk}/recording/"
    response = moderator_client.get(url, HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == stored(recording)[:10]
    html = moderator_client.get(change_url(story)).content.decode()
    assert f'<audio controls preload="none" src="{url}">' in html
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page


def test_a_pasted_webvtt_replaces_the_transcript(moderator_client):
    story = make_story()
    give_recording(story, transcript=[(0, "Old words")])
    response = admin_post(moderator_client, story, transcript_webvtt=WEBVTT)
    assert response.status_code == 302
    segments = list(TranscriptSegment.objects.filter(story=story))
    assert [(s.seconds, s.text) for s in segments] == [
        (0.0, "When the city said it would not ask about papers,"),
        (4.0, "my mother finally went to the clinic."),
    ]


def test_an_uploaded_webvtt_with_a_bad_time_says_which_line(moderator_client):
    story = make_story()
    bad = SimpleUploadedFile("t.vtt", b"WEBVTT\n\n00:00.000 --> 00:0x.000\nHello\n")
    response = admin_post(moderator_client, story, transcript_file=bad)
    assert response.status_code == 200
    assert "Line 3: times must look like" in response.content.decode()


def test_a_moderator_edits_a_transcript_paragraph(moderator_client):
    story = make_story()
    give_recording(story, transcript=[(0, "Old words")])
    segment = TranscriptSegment.objects.get()
    response = admin_post(
        moderator_client,
        story,
        **{"transcript-0-id": str(segment.pk), "transcript-0-start": "0:00:03",
           "transcript-0-text": "New words"},
    )  # fmt: skip
    assert response.status_code == 302
    segment.refresh_from_db()
    assert (segment.seconds, segment.text) == (3.0, "New words")


def test_the_identity_shield_reads_and_redacts_transcripts(moderator):
    story = make_story()
    give_recording(story, transcript=[(0, "Hello"), (7, "Call me at (213) 555-0142 tonight")])
    findings = story.shield_findings()
    [phone] = [f for f in findings if f.kind == "phone"]
    assert phone.field.startswith("transcript-")
    assert story.shielded_texts()[phone.field].label == "Transcript at 0:07"
    story.redact([phone.key], by=moderator)
    assert TranscriptSegment.objects.get(start=datetime.timedelta(seconds=7)).text == (
        "Call me at [redacted] tonight"
    )
    assert story.events.last().note == "Redacted: phone in transcript"


# --- Erasure -------------------------------------------------------------------


def test_erasure_deletes_the_recording_and_the_transcript(
    moderator, django_capture_on_commit_callbacks
):
    story = make_story()
    recording = give_recording(story, transcript=[(0, "Words")])
    story.reject(by=moderator, reason="spam")
    ModerationEvent.objects.filter(story=story).update(
        created_at=timezone.now() - datetime.timedelta(days=400)
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_private_data", stdout=open("/dev/null", "w"))
    assert not Recording.objects.exists()
    assert not TranscriptSegment.objects.exists()
    assert not recordings_storage().exists(recording.stored_as)


def test_the_purge_drops_recordings_held_an_hour_for_forms_never_sent(
    django_capture_on_commit_callbacks,
):
    old = Recording.store(wav_upload())
    Recording.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=61)
    )
    recent = Recording.store(wav_upload())
    Recording.objects.filter(pk=recent.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=59)
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_private_data", stdout=open("/dev/null", "w"))
    assert list(Recording.objects.all()) == [recent]
    assert not recordings_storage().exists(old.stored_as)


def test_deleting_a_story_deletes_its_recording_file(django_capture_on_commit_callbacks):
    story = make_story()
    recording = give_recording(story)
    with django_capture_on_commit_callbacks(execute=True):
        Story.objects.filter(pk=story.pk).delete()
    assert not recordings_storage().exists(recording.stored_as)


# --- Machines ------------------------------------------------------------------


def test_feeds_enclose_the_guarded_recording(client):
    story = make_published()
    recording = give_recording(story, cleared=True)
    make_published(title="Written only")
    feed = feedparser.parse(client.get("/feeds/stories.rss").content)
    enclosures = {entry.title: entry.enclosures for entry in feed.entries}
    [enclosure] = enclosures[story.title]
    assert enclosure.href == f"http://testserver/recordings/{story.pk}/"
    assert enclosure.type == "audio/wav"
    assert enclosure.length == str(recording.size)
    assert enclosures["Written only"] == []
    media = {entry.title: entry.get("media_content") for entry in feed.entries}
    assert media[story.title] == [
        {
            "url": f"http://testserver/recordings/{story.pk}/",
            "type": "audio/wav",
            "medium": "audio",
            "filesize": str(recording.size),
            "duration": "2",
        }
    ]
    assert media["Written only"] is None
    atom = feedparser.parse(client.get("/feeds/stories.atom").content)
    [entry] = [entry for entry in atom.entries if entry.title == story.title]
    assert entry.media_content[0]["duration"] == "2"
    assert [link.href for link in entry.links if link.rel == "enclosure"] == [
        f"http://testserver/recordings/{story.pk}/"
    ]


def test_the_api_gives_the_guarded_url_duration_and_type(client):
    story = make_published()
    give_recording(story, cleared=True)
    data = client.get(f"/api/v1/stories/{story.pk}/").json()
    assert data["recording"] == {
        "url": f"http://testserver/recordings/{story.pk}/",
        "type": "audio/wav",
        "duration": 2.0,
        "size": len(wav_bytes(2.0)),
    }
    unheard = make_published()
    give_recording(unheard)
    assert client.get(f"/api/v1/stories/{unheard.pk}/").json()["recording"] is None


def test_oai_pmh_describes_the_recording(client):
    story = make_published()
    give_recording(story, cleared=True)
    response = client.get(
        "/oai/",
        {
            "verb": "GetRecord",
            "metadataPrefix": "oai_dc",
            "identifier": f"oai:perspectives.example.org:story/{story.pk}",
        },
    )
    tree = etree.fromstring(response.content)
    dc = {"dc": "http://purl.org/dc/elements/1.1/"}
    assert "Sound" in tree.xpath("//dc:type/text()", namespaces=dc)
    assert {"audio/wav", "PT2S"} <= set(tree.xpath("//dc:format/text()", namespaces=dc))
    assert tree.xpath("//dc:relation/text()", namespaces=dc) == [
        f"http://testserver/recordings/{story.pk}/",
        f"http://testserver/iiif/{story.pk}/manifest.json",
    ]
