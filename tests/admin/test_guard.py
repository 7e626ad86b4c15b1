"""No publishing over a finding (issue 23, guard): the high-risk table, waivers,
the refusal on every road, the review page's decisions, two moderators, the figures."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from stories.models import (
    ModerationEvent,
    NotReadyToPublish,
    ShieldWaiver,
    Story,
    Voice,
    WaiverRefused,
)
from stories.safety import shield
from tests.factories import admin_edit, give_recording, make_story

pytestmark = pytest.mark.django_db

A_NUMBER = "A123456789"
PHONE = "(213) 555-0147"

# One detail of each high-risk kind, as a narrator would write it.
EACH_HIGH_RISK_KIND = {
    "a_number": f"My A-number is {A_NUMBER}.",
    "ssn": "Social security 123-45-6789 was on the form.",
    "phone": f"Call me at {PHONE} any day.",
    "email": "Write to maria.lopez@example.org for more.",
    "street_address": "We lived at 1234 Cesar Chavez Ave for years.",
    "date_of_birth": "I was born on March 14, 1985 in Oaxaca.",
    "case_number": "My case number is LA-2019-44871 at the court.",
}


def finding_of(story, kind):
    return next(f for f in story.shield_findings() if f.kind == kind)


def test_the_high_risk_table_leaves_the_licence_plate_out():
    assert shield.HIGH_RISK == set(shield.KINDS) - {"licence_plate"}


@pytest.mark.parametrize(("kind", "sentence"), EACH_HIGH_RISK_KIND.items())
@pytest.mark.parametrize("field", ["body", "title", "summary", "quote", "place"])
def test_a_high_risk_finding_in_any_public_field_refuses_approval(kind, sentence, field):
    story = make_story(**{field: sentence})
    with pytest.raises(NotReadyToPublish) as refusal:
        story.approve(by=None)
    label = str(shield.KINDS[kind])
    assert label in str(refusal.value)
    assert str(Story._meta.get_field(field).verbose_name).lower() in str(refusal.value).lower()
    assert Story.objects.get(pk=story.pk).status == Story.Status.PENDING


def test_the_refusal_never_holds_the_value():
    story = make_story(body=EACH_HIGH_RISK_KIND["a_number"])
    with pytest.raises(NotReadyToPublish) as refusal:
        story.approve(by=None)
    assert "123456789" not in str(refusal.value)


def test_a_finding_in_the_transcript_refuses_approval():
    story = make_story()
    give_recording(story, cleared=True, transcript=[(12, f"Call me at {PHONE}.")])
    with pytest.raises(NotReadyToPublish, match="Phone number in Transcript at 0:12"):
        story.approve(by=None)


def test_an_anonymous_narrators_own_name_refuses_approval():
    story = make_story(
        narrator_name="Rosa Elena Quintanilla",
        is_anonymous=True,
        body="They asked for Rosa Elena Quintanilla at the door.",
    )
    with pytest.raises(NotReadyToPublish, match="The narrator's own name in Story"):
        story.approve(by=None)


def test_a_named_narrators_name_and_a_licence_plate_do_not():
    story = make_story(
        narrator_name="Rosa Quintanilla", body="Rosa Quintanilla saw the van, plate 6TRJ244."
    )
    assert [f.kind for f in story.shield_findings()] == ["licence_plate"]
    story.approve(by=None)
    assert story.status == Story.Status.APPROVED


def test_a_finding_in_the_private_suggested_theme_does_not_hold_the_story_back():
    story = make_story(suggested_theme=f"calls to {PHONE}")
    story.approve(by=None)
    assert story.status == Story.Status.APPROVED


def test_a_redacted_finding_no_longer_refuses(moderator):
    story = make_story(body=EACH_HIGH_RISK_KIND["phone"])
    story.redact([finding_of(story, "phone").key], by=moderator)
    story.approve(by=moderator)
    assert story.status == Story.Status.APPROVED


def test_a_waived_finding_no_longer_refuses_and_is_recorded_without_its_value(moderator):
    story = make_story(body=f"The consulate's office number is {PHONE}. " + "x " * 40)
    waiver = story.waive(finding_of(story, "phone").key, "A public office's number", by=moderator)
    assert (waiver.kind, waiver.field, waiver.waived_by) == ("phone", "body", moderator)
    assert "555" not in waiver.fingerprint
    event = story.events.latest("pk")
    assert event.actor == moderator
    assert "phone in body" in event.note and "A public office's number" in event.note
    assert "555" not in event.note
    story.approve(by=moderator)
    assert story.status == Story.Status.APPROVED


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_waiver_needs_a_reason(moderator, reason):
    story = make_story(body=EACH_HIGH_RISK_KIND["phone"])
    with pytest.raises(WaiverRefused):
        story.waive(finding_of(story, "phone").key, reason, by=moderator)
    assert not ShieldWaiver.objects.exists()


def test_a_waivers_reason_may_not_repeat_the_detail(moderator):
    story = make_story(body=EACH_HIGH_RISK_KIND["phone"])
    with pytest.raises(WaiverRefused):
        story.waive(finding_of(story, "phone").key, f"it is {PHONE}, fine", by=moderator)


def test_a_waiver_of_a_finding_no_longer_there_is_refused(moderator):
    story = make_story(body=EACH_HIGH_RISK_KIND["phone"])
    with pytest.raises(WaiverRefused):
        story.waive("body:0:3", "a reason", by=moderator)


def test_a_waiver_outlives_edits_elsewhere_but_not_at_its_place(moderator):
    ending = " They came in the morning and we were not home that day at all."
    story = make_story(body=f"The office number is {PHONE}." + ending)
    story.waive(finding_of(story, "phone").key, "A public office's number", by=moderator)
    story.title = "A new title"
    story.body = "At first: " + story.body
    story.save()
    assert story.unresolved_findings() == []

    story.body = story.body.replace("office number is", "home number is")
    story.save()
    assert [f.kind for f in story.unresolved_findings()] == ["phone"]
    with pytest.raises(NotReadyToPublish, match="Phone number"):
        story.approve(by=moderator)


def test_the_list_action_approves_the_clean_and_names_the_risky(moderator_client):
    clean = [make_story(title="Clean one"), make_story(title="Clean two")]
    risky = make_story(title="The risky one", body=EACH_HIGH_RISK_KIND["a_number"])
    response = moderator_client.post(
        reverse("admin:stories_story_changelist"),
        {"action": "approve", "_selected_action": [s.pk for s in (*clean, risky)]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("2 stories approved" in m for m in messages)
    refusal = next(m for m in messages if "The risky one" in m)
    assert "Alien registration number (A-number) in Story" in refusal
    assert A_NUMBER not in refusal
    statuses = dict(Story.objects.values_list("title", "status"))
    assert statuses == {
        "Clean one": "approved",
        "Clean two": "approved",
        "The risky one": "pending",
    }


def test_a_crafted_post_to_approve_a_risky_story_is_refused(moderator_client):
    story = make_story(body=EACH_HIGH_RISK_KIND["a_number"])
    response = moderator_client.post(
        reverse("admin:stories_story_review", args=[story.pk]),
        {"decision": "approve"},
        follow=True,
    )
    story.refresh_from_db()
    assert story.status == Story.Status.PENDING
    refusal = " ".join(str(m) for m in response.context["messages"])
    assert "A-number" in refusal and A_NUMBER not in refusal


def test_a_crafted_change_form_post_cannot_set_the_status(moderator_client):
    story = make_story(body=EACH_HIGH_RISK_KIND["a_number"])
    admin_edit(moderator_client, story, status="approved", published_at="2026-01-01 10:00")
    story.refresh_from_db()
    assert (story.status, story.published_at) == (Story.Status.PENDING, None)


def test_the_review_page_highlights_and_says_what_to_do_first(moderator_client):
    story = make_story(body=f"<b>bold</b> My A-number is {A_NUMBER}. " + "x " * 30)
    response = moderator_client.get(reverse("admin:stories_story_review", args=[story.pk]))
    page = response.content.decode()
    label = "Alien registration number (A-number)"
    assert f'<mark class="finding finding-blocks" title="{label}">{A_NUMBER}</mark>' in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold</b>" not in page
    assert "Not yet:" in page and "Approve and publish" in page


def test_the_review_page_redacts_and_waives_one_finding_each(moderator_client, moderator):
    story = make_story(body=f"My A-number is {A_NUMBER}. The office: {PHONE}. " + "x " * 30)
    url = reverse("admin:stories_story_review", args=[story.pk])
    redact = {"finding": finding_of(story, "a_number").key, "finding_decision": "redact"}
    moderator_client.post(url, redact)
    refused = moderator_client.post(
        url,
        {"finding": finding_of(story, "phone").key, "finding_decision": "waive", "reason": ""},
        follow=True,
    )
    assert "Say why" in " ".join(str(m) for m in refused.context["messages"])
    waive = {"finding": finding_of(story, "phone").key, "finding_decision": "waive"}
    moderator_client.post(url, {**waive, "reason": "Public office"})
    story.refresh_from_db()
    assert A_NUMBER not in story.body and PHONE in story.body
    notes = list(story.events.values_list("note", flat=True))
    assert any(n.startswith("Redacted: a_number in body") for n in notes)
    assert any(n.startswith("Waived: phone in body") for n in notes)
    moderator_client.post(url, {"decision": "approve"})
    story.refresh_from_db()
    assert story.status == Story.Status.APPROVED


def test_the_desk_counts_transcripts_and_waivers_within_its_budget(
    moderator_client, moderator, django_assert_max_num_queries
):
    heard = make_story(title="Heard")
    give_recording(heard, transcript=[(0, "Nothing here"), (12, f"Call me at {PHONE}.")])
    waived_story(moderator)  # its one finding waived
    with django_assert_max_num_queries(10):
        desk = moderator_client.get(reverse("admin:stories_story_desk"))
    counts = {story.title: story.unresolved_count for story in desk.context["pending"]}
    assert counts["Heard"] == 1
    assert sorted(counts.values()) == [0, 1]


def test_the_desk_and_the_list_count_unresolved_findings(moderator_client):
    make_story(
        title="Risky", body=EACH_HIGH_RISK_KIND["a_number"] + " " + EACH_HIGH_RISK_KIND["phone"]
    )
    desk = moderator_client.get(reverse("admin:stories_story_desk")).content.decode()
    assert '<strong class="findings-count">2</strong>' in desk
    listing = moderator_client.get(reverse("admin:stories_story_changelist")).content.decode()
    assert 'class="field-unresolved_findings">2</td>' in listing


@pytest.fixture
def second_moderator(django_user_model):
    from stories.moderators import MODERATORS_GROUP

    user = django_user_model.objects.create_user(
        "second", "second@example.org", "x" * 20, is_staff=True
    )
    user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    return user


def waived_story(moderator):
    story = make_story(body=f"The office number is {PHONE}. " + "x " * 30)
    story.waive(finding_of(story, "phone").key, "A public office's number", by=moderator)
    return story


def test_two_moderators_off_one_approval_publishes_a_waived_story(settings, moderator):
    settings.TWO_MODERATORS_FOR_RISKY_STORIES = False
    story = waived_story(moderator)
    story.approve(by=moderator)
    assert story.status == Story.Status.APPROVED


def test_two_moderators_on_a_waived_story_needs_a_second_different_one(
    settings, moderator, second_moderator
):
    settings.TWO_MODERATORS_FOR_RISKY_STORIES = True
    story = waived_story(moderator)
    event = story.approve(by=moderator)
    assert event.to_status == Story.Status.PENDING and event.actor == moderator
    assert (story.status, story.first_approved_by) == (Story.Status.PENDING, moderator)
    with pytest.raises(NotReadyToPublish, match="second, different moderator"):
        story.approve(by=moderator)
    story.approve(by=second_moderator)
    assert story.status == Story.Status.APPROVED
    assert story.first_approved_by is None


def test_two_moderators_on_a_public_recording_needs_two_a_private_voice_one(settings, moderator):
    settings.TWO_MODERATORS_FOR_RISKY_STORIES = True
    heard = make_story()
    give_recording(heard, cleared=True)
    assert heard.approve(by=moderator).to_status == Story.Status.PENDING
    private = make_story(voice=Voice.PRIVATE)
    give_recording(private, cleared=True)
    assert private.approve(by=moderator).to_status == Story.Status.APPROVED
    clean = make_story()
    assert clean.approve(by=moderator).to_status == Story.Status.APPROVED


def test_two_moderators_on_the_desk_shows_the_first_approval(settings, moderator_client, moderator):
    settings.TWO_MODERATORS_FOR_RISKY_STORIES = True
    story = waived_story(moderator)
    response = moderator_client.post(
        reverse("admin:stories_story_review", args=[story.pk]), {"decision": "approve"}, follow=True
    )
    assert "First approval recorded" in " ".join(str(m) for m in response.context["messages"])
    desk = moderator_client.get(reverse("admin:stories_story_desk")).content.decode()
    assert "First approval by moderator" in desk
    review = moderator_client.get(reverse("admin:stories_story_review", args=[story.pk]))
    assert "a second, different moderator" in review.content.decode()


def test_the_figures_page_counts_waivers_by_kind_and_overdue_stories(client, moderator, settings):
    settings.PROMISED_REVIEW_DAYS = 7
    story = waived_story(moderator)
    story.approve(by=moderator)
    make_story(submitted_at=timezone.now() - datetime.timedelta(days=9))
    make_story(submitted_at=timezone.now() - datetime.timedelta(days=2))
    page = client.get("/about/moderation/").content.decode()
    assert '<th scope="row">Phone number</th><td>1</td>' in page
    assert "longer than the 7 days we promise narrators: 1." in page
    assert "A public office" not in page and story.title not in page
    assert ModerationEvent.objects.filter(note__contains="Waived").count() == 1


def test_the_review_page_keeps_its_query_budget(
    moderator_client, moderator, django_assert_max_num_queries
):
    story = waived_story(moderator)
    give_recording(story, transcript=[(0, f"Call {PHONE}"), (5, "More words")])
    with django_assert_max_num_queries(10):
        response = moderator_client.get(reverse("admin:stories_story_review", args=[story.pk]))
    assert "Transcript at 0:00" in response.content.decode()
