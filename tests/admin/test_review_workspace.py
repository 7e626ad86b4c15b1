"""The review as a workspace: clearing the recording, the pull quote and the notes
from the review, and the transcript editor beside the player (issue 23)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stories.models import Recording, Story
from stories.recordings import transcripts

from ..factories import give_recording, make_story

pytestmark = pytest.mark.django_db


def review_url(story):
    return f"/admin/stories/story/{story.pk}/review/"


def editor_url(story):
    return f"/admin/stories/story/{story.pk}/transcript/"


def seconds(n):
    return datetime.timedelta(seconds=n)


# --- Clearing the recording ---


def test_clearing_from_the_review_records_who_and_when(moderator_client, moderator):
    story = make_story(title="Heard in full")
    recording = give_recording(story)
    page = moderator_client.get(review_url(story)).content.decode()
    assert "I listened to all of it" in page and 'name="workspace" value="clear"' in page

    response = moderator_client.post(
        review_url(story),
        {"workspace": "clear", "clear-listened": "on", "clear-recording": recording.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == review_url(story) + "#recording"
    recording.refresh_from_db()
    assert recording.cleared_by == moderator and recording.cleared_at is not None
    event = story.events.get(note="Recording listened to and cleared")
    assert event.actor == moderator
    page = moderator_client.get(review_url(story)).content.decode()
    assert f"Cleared by {moderator.username} on" in page
    assert 'value="clear"' not in page


@pytest.mark.parametrize(
    "data",
    [
        {},  # the box left empty
        {"clear-listened": ""},  # a crafted POST with the box named but not ticked
        {"clear-listened": "on", "clear-recording": "0"},  # another recording than the one played
    ],
    ids=["unticked", "crafted", "replaced"],
)
def test_clearing_is_refused_without_the_box_ticked_for_the_recording_played(
    moderator_client, data
):
    story = make_story(title="Not heard yet")
    recording = give_recording(story)
    data = {"workspace": "clear", "clear-recording": recording.pk, **data}
    response = moderator_client.post(review_url(story), data)
    assert response.status_code == 200
    recording.refresh_from_db()
    assert not recording.is_cleared
    assert not story.events.filter(note="Recording listened to and cleared").exists()
    page = response.content.decode()
    assert "Listen to all of the recording" in page or "The recording was replaced" in page


def test_the_review_states_the_narrators_choice_for_the_voice(moderator_client):
    private = make_story(title="Private voice", voice="private")
    give_recording(private)
    public = make_story(title="Public voice", voice="published")
    give_recording(public)
    assert (
        "Voice private: transcript only"
        in moderator_client.get(review_url(private)).content.decode()
    )
    page = moderator_client.get(review_url(public)).content.decode()
    assert "Publish my recording" in page and "Voice private" not in page


# --- The pull quote and the notes ---


def quote_post(client, story, quote, version=None):
    return client.post(
        review_url(story),
        {
            "workspace": "quote",
            "quote-quote": quote,
            "quote-version_seen": story.version if version is None else version,
        },
    )


def test_a_quote_from_the_story_is_saved_from_the_review(moderator_client):
    story = make_story(title="Quoted", body="We waited all night. Nobody came to tell us.")
    response = quote_post(moderator_client, story, "“Nobody came to tell us.”")
    assert response.status_code == 302 and response["Location"].endswith("#quote")
    story.refresh_from_db()
    assert story.quote == "“Nobody came to tell us.”"


def test_a_quote_not_in_the_story_is_refused_and_the_story_keeps_its_own(moderator_client):
    story = make_story(title="Quoted", body="We waited all night.", quote="We waited all night.")
    response = quote_post(moderator_client, story, "Words the narrator never said.")
    assert response.status_code == 200
    page = response.content.decode()
    assert "The quote must be words of the story itself" in page
    assert "Now: “We waited all night.”" in page  # the page shows the story as stored
    story.refresh_from_db()
    assert story.quote == "We waited all night."


def test_notes_are_saved_from_the_review(moderator_client):
    story = make_story(title="Noted")
    response = moderator_client.post(
        review_url(story),
        {"workspace": "notes", "notes-moderator_notes": "Ask about the date.",
         "notes-version_seen": story.version},
    )  # fmt: skip
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.moderator_notes == "Ask about the date."


def test_a_change_from_an_outdated_review_is_refused(moderator_client, moderator):
    story = make_story(title="Two moderators", body="One sentence here.")
    seen = story.version
    story.moderator_notes = "Written by the other moderator meanwhile."
    story.save()
    response = moderator_client.post(
        review_url(story),
        {"workspace": "notes", "notes-moderator_notes": "Mine.", "notes-version_seen": seen},
    )
    assert response.status_code == 200
    assert "Another moderator changed this story after you opened it" in response.content.decode()
    story.refresh_from_db()
    assert story.moderator_notes == "Written by the other moderator meanwhile."
    assert (
        quote_post(moderator_client, story, "One sentence here.", version=seen).status_code == 200
    )
    story.refresh_from_db()
    assert story.quote == ""


def test_a_workspace_form_does_not_decide_the_story(moderator_client):
    story = make_story(title="Still pending")
    moderator_client.post(
        review_url(story),
        {"workspace": "notes", "notes-moderator_notes": "x", "notes-version_seen": story.version,
         "decision": "approve"},
    )  # fmt: skip
    story.refresh_from_db()
    assert story.status == Story.Status.PENDING


# --- The transcript editor ---


def editor_data(story, paragraphs, version=None, **extra):
    data = {
        "version_seen": story.version if version is None else version,
        "paragraph-TOTAL_FORMS": len(paragraphs),
        "paragraph-INITIAL_FORMS": 0,
        "paragraph-MIN_NUM_FORMS": 0,
        "paragraph-MAX_NUM_FORMS": 5000,
        **extra,
    }
    for number, (start, text) in enumerate(paragraphs):
        data[f"paragraph-{number}-start"] = start
        data[f"paragraph-{number}-text"] = text
    return data


@pytest.fixture
def recorded():
    story = make_story(title="Told aloud", body="Spoken words.")
    recording = give_recording(story, transcript=[(0, "Old words.")])
    # Two seconds of audio, said to last over an hour: the times below stay within it.
    Recording.objects.filter(pk=recording.pk).update(duration=2 * 3600)
    return story


def test_the_editor_shows_the_transcript_with_its_times_and_the_player(moderator_client, recorded):
    page = moderator_client.get(editor_url(recorded)).content.decode()
    assert 'id="transcript-player"' in page and 'value="0:00"' in page and "Old words." in page
    assert "js/transcript-editor.js" in page and "<script>" not in page
    assert "style=" not in page


def test_the_editor_saves_paragraphs_as_cues_in_order(moderator_client, recorded):
    paragraphs = [("0:00", "First."), ("0:07", "Second."), ("1:02:03", "Third."), ("", "")]
    response = moderator_client.post(editor_url(recorded), editor_data(recorded, paragraphs))
    assert response.status_code == 302
    assert response["Location"] == review_url(recorded) + "#recording"
    saved = list(recorded.transcript.values_list("start", "text"))
    assert saved == [
        (seconds(0), "First."),
        (seconds(7), "Second."),
        (seconds(3723), "Third."),
    ]
    old_version = recorded.version
    recorded.refresh_from_db()
    assert recorded.version > old_version  # an open change form with the old transcript is refused


@pytest.mark.parametrize("typed", ["7", "0:7", "1:60", "1:60:00", "abc", "0:05.5"])
def test_a_time_not_typed_as_a_clock_is_refused(moderator_client, recorded, typed):
    data = editor_data(recorded, [("0:00", "First."), (typed, "Second.")])
    response = moderator_client.post(editor_url(recorded), data)
    assert response.status_code == 200
    assert "Type a time as minutes and seconds" in response.content.decode()
    assert list(recorded.transcript.values_list("text", flat=True)) == ["Old words."]


def test_a_paragraph_cannot_start_after_the_recording_ends(moderator_client, recorded):
    data = editor_data(recorded, [("0:00", "First."), ("2:00:01", "Past the end.")])
    response = moderator_client.post(editor_url(recorded), data)
    assert response.status_code == 200
    assert "The recording ends at 2:00:00" in response.content.decode()
    assert (
        moderator_client.post(
            editor_url(recorded), editor_data(recorded, [("2:00:00", "At the very end.")])
        ).status_code
        == 302
    )


def test_a_paragraph_with_words_needs_a_time(moderator_client, recorded):
    response = moderator_client.post(editor_url(recorded), editor_data(recorded, [("", "Words.")]))
    assert response.status_code == 200
    assert list(recorded.transcript.values_list("text", flat=True)) == ["Old words."]


@pytest.mark.parametrize("second", ["0:05", "0:04"], ids=["same", "earlier"])
def test_times_that_do_not_increase_are_refused_with_a_message(moderator_client, recorded, second):
    data = editor_data(recorded, [("0:05", "First."), (second, "Second.")])
    response = moderator_client.post(editor_url(recorded), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Each paragraph must start later than the one before it." in page
    assert "This paragraph must start after the one before it (0:05)." in page
    assert list(recorded.transcript.values_list("text", flat=True)) == ["Old words."]


def test_a_save_from_an_outdated_editor_is_refused(moderator_client, recorded):
    seen = recorded.version
    recorded.save()  # another moderator saved the story meanwhile
    data = editor_data(recorded, [("0:00", "Mine.")], version=seen)
    response = moderator_client.post(editor_url(recorded), data)
    assert response.status_code == 200
    assert "Another moderator changed this story" in response.content.decode()
    assert list(recorded.transcript.values_list("text", flat=True)) == ["Old words."]


def test_pasted_text_is_split_into_paragraphs_keeping_the_times_in_place(
    moderator_client, recorded
):
    data = editor_data(
        recorded,
        [("0:03", "Old words.")],
        pasted="One paragraph,\non two lines.\n\n  \nAnother.\r\n\r\nA third.",
        split="",
    )
    response = moderator_client.post(editor_url(recorded), data)
    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert [(form["start"].value(), form["text"].value()) for form in forms] == [
        ("0:03", "One paragraph,\non two lines."),
        ("", "Another."),
        ("", "A third."),
        (None, None),  # the empty one that adds a paragraph
    ]
    assert list(recorded.transcript.values_list("text", flat=True)) == ["Old words."]


def test_a_transcript_saved_in_the_editor_goes_out_and_back_as_webvtt(moderator_client, recorded):
    paragraphs = [("0:00", "First, <b>&</b> bold."), ("0:07", "Two\nlines."), ("1:05", "Last.")]
    moderator_client.post(editor_url(recorded), editor_data(recorded, paragraphs))
    exported = moderator_client.get(f"/admin/stories/story/{recorded.pk}/transcript.vtt")
    assert exported["Content-Type"] == "text/vtt; charset=utf-8"
    cues = transcripts.parse_webvtt(exported.content.decode())
    assert [(cue.start, cue.text) for cue in cues] == [
        (seconds(0), "First, <b>&</b> bold."),
        (seconds(7), "Two\nlines."),
        (seconds(65), "Last."),
    ]
    # ...and a WebVTT file read back in the editor shows the same paragraphs and times.
    page = moderator_client.get(editor_url(recorded)).content.decode()
    assert 'value="1:05"' in page and "First, &lt;b&gt;&amp;&lt;/b&gt; bold." in page


def test_the_shield_reads_the_transcript_saved_in_the_editor(moderator_client, recorded):
    data = editor_data(recorded, [("0:00", "Call me at 213-555-0147, any time.")])
    moderator_client.post(editor_url(recorded), data)
    review = moderator_client.get(review_url(recorded)).content.decode()
    assert "213-555-0147" in review


def test_a_story_without_a_recording_has_no_transcript_editor(moderator_client):
    story = make_story(title="Written only")
    assert moderator_client.get(editor_url(story)).status_code == 404
    page = moderator_client.get(review_url(story)).content.decode()
    assert "The narrator sent no recording." in page


def test_the_editor_is_for_moderators_only(client, recorded, django_user_model):
    assert client.get(editor_url(recorded)).status_code == 302  # to the sign-in page
    staff = django_user_model.objects.create_user("guest", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(editor_url(recorded)).status_code == 403
    assert (
        client.post(editor_url(recorded), editor_data(recorded, [("0:00", "x")])).status_code == 403
    )


def test_the_new_pages_keep_to_the_query_budget(moderator_client, recorded):
    for url in (editor_url(recorded), review_url(recorded)):
        moderator_client.get(url)  # sessions and caches warmed
        with CaptureQueriesContext(connection) as queries:
            assert moderator_client.get(url).status_code == 200
        assert len(queries) <= 10, (url, [query["sql"] for query in queries])


def test_clock_times_read_back_as_written():
    for written in ("0:00", "0:07", "9:59", "59:59", "1:00:00", "12:03:04"):
        assert transcripts.clock(transcripts.parse_clock(written)) == written
    assert transcripts.parse_clock("75:00") == seconds(4500)
