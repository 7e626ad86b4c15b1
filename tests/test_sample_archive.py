"""The sample archive loads on the current schema and keeps the variety it promises."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count
from django.utils.text import slugify

from stories.models import (
    ArchiveStatement,
    DataRequest,
    ModerationEvent,
    Perspective,
    Recording,
    Story,
    Theme,
    TimelineEvent,
    listed_places,
    recordings_storage,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample_archive():
    call_command("load_sample_archive", verbosity=0)


def test_sample_archive_size_and_labels(sample_archive):
    stories = Story.objects.all()
    assert stories.count() >= 40
    assert not stories.filter(is_sample=False).exists()


def test_every_perspective_speaks_and_every_theme_is_used(sample_archive):
    published = Story.objects.published()
    for perspective in Perspective.objects.all():
        assert published.filter(perspective=perspective).count() >= 5, perspective
    for theme in Theme.objects.all():
        assert published.filter(themes=theme).count() >= 2, theme


def test_languages_anonymity_and_featuring(sample_archive):
    stories = Story.objects.all()
    assert stories.filter(language="es").count() * 3 >= stories.count()
    anonymous = stories.filter(is_anonymous=True)
    assert anonymous.count() >= 5
    # An anonymous narrator's name is kept only until approval, for the identity shield.
    assert not anonymous.filter(status=Story.Status.APPROVED).exclude(narrator_name="").exists()


def test_a_pending_story_shows_moderators_the_identity_shield(sample_archive):
    findings = {
        finding.kind
        for story in Story.objects.filter(status=Story.Status.PENDING)
        for finding in story.shield_findings()
    }
    assert {"phone", "a_number", "name"} <= findings
    sent_anyway = Story.objects.filter(
        status=Story.Status.PENDING, sent_with_findings__isnull=False
    )
    assert sorted(sent_anyway.get().sent_with_findings) == ["a_number", "name", "phone"]
    assert Story.objects.published().filter(featured=True).count() >= 3


def test_the_moderation_queue_has_work(sample_archive):
    by_status = dict(Story.objects.values_list("status").annotate(n=Count("pk")))
    assert by_status[Story.Status.PENDING] >= 3
    assert by_status[Story.Status.REJECTED] >= 1
    assert by_status[Story.Status.WITHDRAWN] >= 1
    assert not Story.objects.filter(status__in=["pending", "rejected"], slug__isnull=False)
    assert Story.objects.withdrawn_after_publication().exists()


def test_every_story_has_the_history_that_brought_it_to_its_status(sample_archive):
    for story in Story.objects.prefetch_related("events"):
        events = list(story.events.all())
        assert events, story
        assert (events[0].from_status, events[0].to_status) == ("", Story.Status.PENDING)
        status = Story.Status.PENDING
        for event in events[1:]:
            assert event.from_status == status, story
            if event.to_status != status:
                assert event.to_status in Story.TRANSITIONS[status], story
            status = event.to_status
        assert status == story.status, story


def test_slugs_come_from_titles_and_private_details_are_fictional(sample_archive):
    for story in Story.objects.exclude(slug=None):
        assert story.slug == slugify(story.title, allow_unicode=True)
    for email in Story.objects.exclude(contact_email="").values_list("contact_email", flat=True):
        assert email.rsplit("@", 1)[1] in {"example.org", "example.com", "example.net"}
    assert ModerationEvent.objects.count() > Story.objects.count()


def test_load_sample_archive_does_not_load_twice(sample_archive):
    count = Story.objects.count()
    call_command("load_sample_archive", verbosity=0)
    call_command("loaddata", "sample_archive", verbosity=0)
    assert Story.objects.count() == count


def test_sample_recordings_are_written_and_one_waits_to_be_heard(sample_archive, client):
    recordings = Recording.objects.select_related("story")
    assert recordings.count() >= 3
    for recording in recordings:
        with recordings_storage().open(recording.stored_as) as audio:
            assert len(audio.read()) == recording.size
    heard = [r.story for r in recordings if r.story.is_visible and r.story.public_recording]
    assert {story.language for story in heard} == {"en", "es"}
    assert all(story.transcript.count() >= 5 for story in heard)
    assert recordings.filter(cleared_at=None, story__status=Story.Status.PENDING).exists()
    assert recordings.filter(cleared_at=None, story__status=Story.Status.APPROVED).exists()
    response = client.get(f"/recordings/{heard[0].pk}/", HTTP_RANGE="bytes=0-3")
    assert b"".join(response.streaming_content) == b"RIFF"


def test_readme_says_how_many_sample_recordings_a_reader_hears(sample_archive):
    recordings = Recording.objects.select_related("story")
    heard = [r for r in recordings if r.story.is_visible and r.story.public_recording]
    assert (recordings.count(), len(heard)) == (7, 3)
    readme = " ".join((settings.BASE_DIR / "README.md").read_text().split())
    assert "The sample archive has seven recordings" in readme
    assert "a reader hears only three of them" in readme


def test_a_sample_voice_kept_private_shows_its_transcript_and_is_never_served(
    sample_archive, client
):
    story = Story.objects.published().get(voice=Story.Voice.PRIVATE)
    assert story.recording.is_cleared and story.transcript.count() >= 5
    assert client.get(f"/recordings/{story.pk}/").status_code == 404
    html = client.get(story.get_absolute_url()).content.decode()
    assert story.transcript.first().text in html and "<audio" not in html
    assert story.events.filter(note="Voice kept private: transcript only", actor=None).exists()


def test_the_sample_about_page_and_requests_say_they_are_samples(sample_archive, client):
    statement = ArchiveStatement.current()
    assert statement.pk and "sample deployment" in statement.who_runs
    assert "ejemplo" in statement.who_runs_es
    assert statement.contact_email.endswith("@example.org")
    assert "This is a sample policy" in statement.requests_policy  # the model's default
    assert DataRequest.objects.count() == 4
    assert all(request.is_sample for request in DataRequest.objects.all())
    page = client.get("/about/requests/").content.decode()
    assert "fictional sample requests" in page


def test_the_sample_about_page_never_replaces_one_administrators_wrote(db):
    ArchiveStatement(who_runs="The Eastside Library").save()
    call_command("load_sample_archive", verbosity=0)
    assert ArchiveStatement.current().who_runs == "The Eastside Library"
    assert not DataRequest.objects.exists()


def test_sample_places_reach_the_threshold_and_hidden_stories_do_not_count(sample_archive):
    places = listed_places()
    assert len(places) >= 3
    assert {"boyle-heights", "downtown", "south-la"} <= set(places)
    # South LA: a pending and a withdrawn story name it too, and are not counted.
    assert places["south-la"].count == Story.objects.published().filter(place="South LA").count()
    assert Story.objects.filter(place="South LA").count() > places["south-la"].count


def test_sample_timeline_events_are_bilingual_and_load_once(sample_archive):
    events = TimelineEvent.objects.all()
    assert {1979, 1994, 2017, 2025} <= {event.year for event in events}
    assert all(event.title_es and event.description and event.description_es for event in events)
    call_command("load_sample_archive", "--force", verbosity=0)
    assert TimelineEvent.objects.count() == len(events)
    readme = (settings.BASE_DIR / "fixtures" / "README.md").read_text()
    assert "sample_timeline.json" in readme and "sample text" in readme
