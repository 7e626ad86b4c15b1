"""A story may be told aloud alone: writing is optional with a recording, and such a story is
published only once a moderator has listened to all of it and cleared it."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from stories.models import NotReadyToPublish, Recording, Story

from ..factories import (
    admin_edit,
    give_recording,
    make_story,
    post_share,
    share_data,
    wav_upload,
)

pytestmark = pytest.mark.django_db


def test_a_recording_is_a_whole_story_without_a_word_written(client):
    response = post_share(client, {**share_data(body=""), "recording": wav_upload()})
    assert response.status_code == 302
    story = Story.objects.get()
    assert story.body == "" and story.told_only_in_a_recording
    assert story.recording.duration == pytest.approx(2.0)


def test_a_few_written_lines_may_come_with_a_recording(client):
    response = post_share(
        client, {**share_data(body="I said it better out loud."), "recording": wav_upload()}
    )
    assert response.status_code == 302
    assert Story.objects.get().body == "I said it better out loud."


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write your story here, or send a recording of it."),
        ("Too short.", "Write at least 200 characters (you wrote 10), or send a recording"),
    ],
)
def test_without_a_recording_the_story_must_be_written(client, body, message):
    response = post_share(client, share_data(body=body))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors["body"])
    assert not Story.objects.exists()


def test_the_spanish_form_says_so_in_spanish(client):
    response = post_share(client, share_data(body=""), prefix="/es")
    assert "Escriba su historia aquí, o envíe una grabación de ella." in response.content.decode()


def test_a_held_recording_counts_and_removing_it_makes_writing_required_again(client):
    risky = share_data(body="", title="Call me at (213) 555-0142")
    response = post_share(client, {**risky, "recording": wav_upload()})
    assert response.status_code == 200 and "Check and send" in response.content.decode()
    assert Recording.objects.get().story is None

    response = post_share(client, {**risky, "remove_recording": "on", "send_anyway": "1"})
    assert response.status_code == 200
    assert "Write your story here, or send a recording of it." in response.content.decode()
    assert not Story.objects.exists()


def test_a_story_told_only_aloud_waits_for_its_recording_to_be_cleared(moderator):
    story = make_story(body="")
    with pytest.raises(NotReadyToPublish):
        story.approve(by=moderator)  # no recording at all
    give_recording(story)
    with pytest.raises(NotReadyToPublish):
        story.approve(by=moderator)  # not listened to yet
    assert Story.objects.get(pk=story.pk).status == Story.Status.PENDING
    assert not story.events.filter(to_status=Story.Status.APPROVED).exists()

    story.recording.set_cleared(True, by=moderator)
    story.approve(by=moderator)
    assert Story.objects.get(pk=story.pk).status == Story.Status.APPROVED


def test_a_written_story_is_approved_whatever_its_recording(moderator):
    story = make_story()
    give_recording(story)
    story.approve(by=moderator)
    assert story.status == Story.Status.APPROVED


def test_the_list_action_names_what_it_did_not_publish(moderator_client):
    aloud = make_story(title="Only my voice", body="")
    give_recording(aloud)
    written = make_story(title="Written down")
    response = moderator_client.post(
        "/admin/stories/story/",
        {"action": "approve", ACTION_CHECKBOX_NAME: [aloud.pk, written.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "Not published: Only my voice." in page
    assert "no moderator has listened to all of it" in page
    assert Story.objects.get(pk=written.pk).status == Story.Status.APPROVED
    assert Story.objects.get(pk=aloud.pk).status == Story.Status.PENDING


def test_the_review_desk_says_why_it_did_not_publish(moderator_client):
    aloud = make_story(title="Only my voice", body="")
    give_recording(aloud)
    response = moderator_client.post(
        f"/admin/stories/story/{aloud.pk}/review/",
        {"decision": "approve", "note": ""},
        follow=True,
    )
    assert "Not published: Only my voice." in response.content.decode()
    assert Story.objects.get(pk=aloud.pk).status == Story.Status.PENDING


def test_a_story_told_aloud_reads_as_such_on_its_card_and_page(client, moderator):
    story = make_story(title="Only my voice", body="")
    give_recording(story, cleared=True, by=moderator)
    story.approve(by=moderator)
    listing = client.get("/stories/").content.decode()
    assert "Told in a recording." in listing
    page = client.get(story.get_absolute_url()).content.decode()
    assert 'class="story-body"' not in page
    assert "<audio" in page


def test_a_moderator_saves_a_story_told_aloud_in_the_admin_without_writing_it(
    moderator_client, moderator
):
    story = make_story(title="Only my voice", body="")
    give_recording(story)
    admin_edit(moderator_client, story, title="Only my voice, retitled")
    story.refresh_from_db()
    assert story.title == "Only my voice, retitled" and story.body == ""
