"""The review workspace's index and translation editors, and volunteer translators (issue 24)."""

import datetime

import pytest
from django.contrib.auth.models import Group

from stories.models import (
    IndexSegment,
    NotReadyToPublish,
    Recording,
    Story,
    Theme,
    TranscriptSegment,
)
from stories.models.event_notes import shown_note
from stories.moderators import TRANSLATORS_GROUP

from ..factories import give_recording, make_published, make_story

pytestmark = pytest.mark.django_db

PHONE = "213-555-0182"


def seconds(n):
    return datetime.timedelta(seconds=n)


def index_url(story):
    return f"/admin/stories/story/{story.pk}/index/"


def translation_url(story):
    return f"/admin/stories/story/{story.pk}/translation/"


def review_url(story):
    return f"/admin/stories/story/{story.pk}/review/"


def recorded(story, length=600, **kwargs):
    recording = give_recording(story, **kwargs)
    Recording.objects.filter(pk=recording.pk).update(duration=length)
    return Story.objects.get(pk=story.pk)


def index_data(story, rows, **extra):
    """The index editor's POST: ``rows`` of {field: value}, then the empty row at the end."""
    data = {
        "version_seen": story.version,
        "save": "1",
        "segment-TOTAL_FORMS": len(rows) + 1,
        "segment-INITIAL_FORMS": 0,
    }
    for number, row in enumerate(rows):
        for name, value in row.items():
            data[f"segment-{number}-{name}"] = value
    data.update(extra)
    return data


@pytest.fixture
def translator(django_user_model):
    user = django_user_model.objects.create_user(
        "translator", "t@example.org", "a-long-translator-password", is_staff=True
    )
    user.groups.add(Group.objects.get(name=TRANSLATORS_GROUP))
    return user


@pytest.fixture
def translator_client(client, translator):
    client.force_login(translator)
    return client


# --- The index editor ---


def test_the_index_editor_saves_segments_with_themes_and_translations(moderator_client, moderator):
    story = recorded(make_story(title="Index me", language="es"))
    theme = Theme.objects.get(slug="community-trust")
    page = moderator_client.get(index_url(story)).content.decode()
    assert "Take the start from the player" in page
    assert "translated by the archive into English" in page
    assert 'id="transcript-player"' in page

    rows = [
        {"start": "0:00", "title": "Llegada", "keywords": "frontera, bus", "themes": theme.pk},
        {"start": "2:05", "title": "La escuela", "title_translation": "School"},
    ]
    response = moderator_client.post(index_url(story), index_data(story, rows))
    assert response.status_code == 302
    assert response["Location"] == review_url(story) + "#index"
    first, second = story.index_segments.all()
    assert (first.start, first.title, first.keyword_list) == (
        seconds(0),
        "Llegada",
        ["frontera", "bus"],
    )
    assert list(first.themes.all()) == [theme]
    assert (second.start, second.title_translation) == (seconds(125), "School")
    event = story.events.get(note="Index of the recording edited")
    assert event.actor == moderator
    review = moderator_client.get(review_url(story)).content.decode()
    assert "Index: 2 segments." in review and index_url(story) in review


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        ([{"start": "11:00", "title": "Late"}], "The recording ends at 10:00"),
        ([{"start": "1:00", "title": "A"}, {"start": "0:30", "title": "B"}], "must start after"),
        ([{"start": "1:00", "title": "A"}, {"start": "1:00", "title": "B"}], "Another segment"),
        ([{"start": "1:00", "synopsis": "No title"}], "Give the segment a title."),
        ([{"start": "soon", "title": "A"}], "m:ss"),
    ],
)
def test_the_index_editor_refuses_times_out_of_order_or_beyond_the_end(
    moderator_client, rows, error
):
    story = recorded(make_story())
    response = moderator_client.post(index_url(story), index_data(story, rows))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not story.index_segments.exists()


def test_removing_a_segment_and_adding_a_row(moderator_client):
    story = recorded(make_story())
    IndexSegment.replace_index(
        story,
        [IndexSegment(start=seconds(0), title="A"), IndexSegment(start=seconds(60), title="B")],
    )
    kept = story.index_segments.get(title="A").pk
    rows = [
        {"start": "0:00", "title": "A", "DELETE": ""},
        {"start": "1:00", "title": "B", "DELETE": "on"},
    ]
    adding = {**index_data(story, rows), "add": "1"}
    del adding["save"]
    added = moderator_client.post(index_url(story), adding)
    assert added.content.decode().count("index-segment") == 4  # three rows: one more, unsaved
    assert story.index_segments.count() == 2
    response = moderator_client.post(index_url(story), index_data(story, rows))
    assert response.status_code == 302
    assert list(story.index_segments.values_list("pk", "title")) == [(kept, "A")]


def test_a_stale_index_is_refused(moderator_client):
    story = recorded(make_story())
    data = index_data(story, [{"start": "0:10", "title": "Mine"}])
    story.save()  # another moderator saved the story meanwhile
    response = moderator_client.post(index_url(story), data)
    assert response.status_code == 200
    assert "another moderator" in response.content.decode().lower()
    assert not story.index_segments.exists()


def test_the_index_editor_needs_a_recording_and_a_moderator(moderator_client, client):
    assert moderator_client.get(index_url(make_story())).status_code == 404
    story = recorded(make_story())
    client.logout()
    assert client.get(index_url(story)).status_code == 302  # to the sign-in


# --- The shield over segments and translations ---


def test_a_phone_in_a_segment_holds_the_story_back_until_redacted(moderator_client, moderator):
    story = recorded(make_story(body="Nothing here."), cleared=True)
    rows = [{"start": "0:10", "title": "Calls", "synopsis_translation": f"Call me at {PHONE}"}]
    moderator_client.post(index_url(story), index_data(story, rows))
    story = Story.objects.get(pk=story.pk)
    assert "Phone number in Index segment at 0:10" in story.unready_reason()
    with pytest.raises(NotReadyToPublish):
        story.approve(by=moderator)
    review = moderator_client.get(review_url(story))
    passage = next(p for p in review.context["passages"] if p.field.startswith("segment-"))
    assert passage.lang == "es" and passage.findings  # an English story's translation
    assert PHONE in review.content.decode()
    moderator_client.post(
        review_url(story),
        {"finding": passage.findings[0].finding.key, "finding_decision": "redact"},
    )
    segment = story.index_segments.get()
    assert (
        PHONE not in segment.synopsis_translation and "[redacted]" in segment.synopsis_translation
    )
    assert Story.objects.get(pk=story.pk).unready_reason() == ""


def test_a_waiver_in_a_segment_outlives_an_edit_of_another_segment(moderator_client, moderator):
    story = recorded(make_story(body="Nothing here."), cleared=True)
    rows = [{"start": "0:10", "title": "Calls", "synopsis": f"The office line {PHONE}"}]
    moderator_client.post(index_url(story), index_data(story, rows))
    story = Story.objects.get(pk=story.pk)
    finding = story.unresolved_findings()[0]
    moderator_client.post(
        review_url(story),
        {"finding": finding.key, "finding_decision": "waive", "reason": "the consulate's line"},
    )
    assert story.waivers.get().field == f"segment-{story.index_segments.get().pk}-synopsis"
    story = Story.objects.get(pk=story.pk)
    assert story.unready_reason() == ""
    rows.append({"start": "0:20", "title": "Another"})
    moderator_client.post(index_url(story), index_data(story, rows))
    assert Story.objects.get(pk=story.pk).unready_reason() == ""


def test_a_phone_in_the_transcript_translation_holds_the_story_back(moderator_client):
    story = recorded(make_story(body="Nothing here."), transcript=[(0, "Hola")])
    paragraph = story.transcript.get()
    data = {
        "version_seen": story.version,
        "title_translation": "",
        "body_translation": "",
        "summary_translation": "",
        f"paragraph_{paragraph.pk}": f"Call {PHONE}",
    }
    assert moderator_client.post(translation_url(story), data).status_code == 302
    story = Story.objects.get(pk=story.pk)
    assert "Transcript translated by the archive at 0:00" in story.unready_reason()
    refused = moderator_client.post(review_url(story), {"decision": "approve"})
    assert refused.status_code == 200
    assert Story.objects.get(pk=story.pk).status == Story.Status.PENDING
    review = moderator_client.get(review_url(story)).content.decode()
    assert PHONE in review and "Waive" in review


# --- The translation editor ---


def translation_data(story, **fields):
    return {
        "version_seen": story.version,
        "title_translation": "",
        "body_translation": "",
        "summary_translation": "",
        **fields,
    }


def test_the_translation_editor_saves_the_story_and_its_paragraphs(moderator_client, moderator):
    story = recorded(
        make_story(title="Mi historia", language="es"), transcript=[(0, "Uno"), (5, "Dos")]
    )
    first, second = story.transcript.all()
    page = moderator_client.get(translation_url(story)).content.decode()
    assert "Uno" in page and "Mi historia" in page and 'lang="en"' in page
    data = translation_data(
        story,
        title_translation="My story",
        body_translation="All of it",
        **{f"paragraph_{first.pk}": "One"},
    )
    response = moderator_client.post(translation_url(story), data)
    assert response["Location"] == review_url(story) + "#translation"
    story = Story.objects.get(pk=story.pk)
    assert (story.title_translation, story.body_translation) == ("My story", "All of it")
    assert list(story.transcript.values_list("text_translation", flat=True)) == ["One", ""]
    assert story.events.get(note="Translation edited").actor == moderator
    review = moderator_client.get(review_url(story)).content.decode()
    assert "Translated so far: title, text, transcript (1 of 2 paragraphs)." in review


def test_a_stale_translation_is_refused(moderator_client):
    story = make_story()
    data = translation_data(story, title_translation="Late")
    story.save()
    response = moderator_client.post(translation_url(story), data)
    assert response.status_code == 200
    assert Story.objects.get(pk=story.pk).title_translation == ""


def test_rewriting_the_transcript_keeps_translations_where_the_times_stay(moderator_client):
    story = recorded(make_story(), transcript=[(0, "One"), (5, "Two")])
    TranscriptSegment.objects.filter(story=story).update(text_translation="Uno")
    story.rewrite_transcript(
        [
            TranscriptSegment(start=seconds(0), text="One, reworded"),
            TranscriptSegment(start=seconds(7), text="Two, moved"),
        ],
        version_seen=story.version,
    )
    assert list(story.transcript.values_list("text", "text_translation")) == [
        ("One, reworded", "Uno"),
        ("Two, moved", ""),
    ]


def test_the_history_notes_are_translated(settings):
    from django.utils import translation

    with translation.override("es"):
        assert shown_note("Index of the recording edited") != "Index of the recording edited"
        assert shown_note("Translation edited") != "Translation edited"


# --- Volunteer translators ---


def test_a_translator_translates_a_published_story(translator_client, translator):
    story = make_published(title="Published", contact_email="narrator@example.org")
    Story.objects.filter(pk=story.pk).update(moderator_notes="Private note")
    give_recording(story, transcript=[(0, "Not cleared yet")])
    page = translator_client.get(translation_url(story)).content.decode()
    assert "Published" in page
    for private in ("narrator@example.org", "Private note", "Not cleared yet", "/review/"):
        assert private not in page
    assert "/recording/" not in page  # a recording not cleared is not played either
    response = translator_client.post(
        translation_url(story), translation_data(story, title_translation="Publicada")
    )
    assert response.status_code == 302
    assert Story.objects.get(pk=story.pk).title_translation == "Publicada"
    listing = translator_client.get("/admin/stories/story/translations/").content.decode()
    assert translation_url(story) in listing
    assert "Stories to translate" in translator_client.get("/admin/").content.decode()


def test_a_translator_may_not_write_an_identifying_detail(translator_client):
    story = make_published()
    response = translator_client.post(
        translation_url(story), translation_data(story, body_translation=f"Call {PHONE}")
    )
    assert response.status_code == 200
    assert "Phone number" in response.content.decode()
    assert Story.objects.get(pk=story.pk).body_translation == ""


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_a_translator_finds_no_story_that_is_not_published(translator_client, status):
    story = make_story(status=status) if status == "pending" else make_story()
    if status == "rejected":
        Story.objects.filter(pk=story.pk).update(status="rejected")
    assert translator_client.get(translation_url(story)).status_code == 404
    assert (
        translator_client.post(translation_url(story), translation_data(story)).status_code == 404
    )


def test_a_translator_has_nothing_else_of_the_admin(translator_client):
    story = recorded(make_published())
    for url in (
        review_url(story),
        index_url(story),
        f"/admin/stories/story/{story.pk}/transcript/",
        f"/admin/stories/story/{story.pk}/recording/",
        "/admin/stories/story/desk/",
    ):
        assert translator_client.get(url).status_code == 403, url
    for url in (f"/admin/stories/story/{story.pk}/change/", "/admin/stories/story/"):
        assert translator_client.get(url).status_code == 403, url


def test_a_moderator_translates_a_pending_story(moderator_client):
    story = make_story()
    assert moderator_client.get(translation_url(story)).status_code == 200


def test_a_staff_member_without_the_permission_is_refused(client, django_user_model):
    user = django_user_model.objects.create_user("staff", password="x" * 20, is_staff=True)
    client.force_login(user)
    assert client.get(translation_url(make_published())).status_code == 403
    assert client.get("/admin/stories/story/translations/").status_code == 403
