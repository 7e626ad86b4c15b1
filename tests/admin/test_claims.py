"""Claiming a story to review, and the desk's queue with its risk and time.

Times are set on the rows (a claim opened 12 minutes ago, a story sent 10 days
ago), never waited for.
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.utils import timezone
from django.utils.translation import override

from stories.models import Report, ReviewClaim, Story
from stories.moderators import MODERATORS_GROUP
from stories.templatetags.archive_tags import promised_review_time

from ..factories import give_recording, make_story, post_share, share_data
from ..readers import withdrawal_link_on

pytestmark = pytest.mark.django_db

DESK = "/admin/stories/story/desk/"


def review_url(story):
    return f"/admin/stories/story/{story.pk}/review/"


def next_url(story):
    return f"/admin/stories/story/{story.pk}/review/next/"


def sent_ago(story, **delta):
    Story.objects.filter(pk=story.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(**delta)
    )


def claim_age(story, *, minutes, expires_in_minutes):
    now = timezone.now()
    ReviewClaim.objects.filter(story=story).update(
        claimed_at=now - datetime.timedelta(minutes=minutes),
        expires_at=now + datetime.timedelta(minutes=expires_in_minutes),
    )


@pytest.fixture
def second_moderator(django_user_model):
    user = django_user_model.objects.create_user(
        "luisa", "luisa@example.org", "another-long-password", is_staff=True, first_name="Luisa"
    )
    user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    return user


@pytest.fixture
def second_client(second_moderator):
    client = Client()
    client.force_login(second_moderator)
    return client


@pytest.fixture
def line():
    """Three pending stories, oldest first."""
    stories = [make_story(title=f"In line {n}") for n in range(3)]
    for hours, story in zip((3, 2, 1), stories, strict=True):
        sent_ago(story, hours=hours)
    return stories


# --- Claiming ---


def test_opening_a_review_claims_the_story_for_the_set_time(moderator_client, moderator, settings):
    settings.REVIEW_CLAIM_MINUTES = 45
    story = make_story()
    moderator_client.get(review_url(story))
    claim = ReviewClaim.objects.get(story=story)
    assert claim.moderator == moderator
    assert claim.expires_at - claim.claimed_at == datetime.timedelta(minutes=45)


def test_opening_a_claim_again_renews_it_from_the_first_opening(moderator_client):
    story = make_story()
    moderator_client.get(review_url(story))
    claim_age(story, minutes=25, expires_in_minutes=5)
    before = ReviewClaim.objects.get(story=story)
    moderator_client.get(review_url(story))
    renewed = ReviewClaim.objects.get(story=story)
    assert renewed.claimed_at == before.claimed_at  # still reviewing since the first opening
    assert renewed.expires_at - timezone.now() > datetime.timedelta(minutes=25)


def test_opening_a_story_claimed_by_another_leaves_the_claim_theirs(
    moderator_client, second_client, moderator
):
    story = make_story()
    moderator_client.get(review_url(story))
    page = second_client.get(review_url(story)).content.decode()
    assert ReviewClaim.objects.get(story=story).moderator == moderator
    assert "moderator is reviewing this story" in page
    assert "Take over the review from moderator" in page


def test_an_expired_claim_is_taken_by_whoever_opens_the_story(
    moderator_client, second_client, second_moderator
):
    story = make_story()
    moderator_client.get(review_url(story))
    claim_age(story, minutes=40, expires_in_minutes=-10)
    page = second_client.get(review_url(story)).content.decode()
    claim = ReviewClaim.objects.get(story=story)
    assert claim.moderator == second_moderator
    assert timezone.now() - claim.claimed_at < datetime.timedelta(minutes=1)
    assert "You are reviewing this story" in page


def test_start_with_the_oldest_skips_a_story_another_moderator_is_reviewing(
    moderator_client, second_client, line
):
    second_client.get(review_url(line[0]))
    desk = moderator_client.get(DESK)
    assert desk.context["first_unclaimed"].pk == line[1].pk
    page = desk.content.decode()
    assert "Luisa, reviewing, 0 min" in page
    # The second moderator's own claim does not send them elsewhere.
    assert second_client.get(DESK).context["first_unclaimed"].pk == line[0].pk


def test_next_in_the_queue_skips_claimed_stories_after_a_decision_too(
    moderator_client, second_client, line
):
    second_client.get(review_url(line[1]))
    moderator_client.get(review_url(line[0]))
    assert moderator_client.get(next_url(line[0]))["Location"] == review_url(line[2])
    approved = moderator_client.post(review_url(line[0]), {"decision": "approve"})
    assert approved["Location"] == review_url(line[2])


def test_expired_claims_send_no_one_elsewhere(moderator_client, second_client, line):
    second_client.get(review_url(line[0]))
    claim_age(line[0], minutes=31, expires_in_minutes=-1)
    desk = moderator_client.get(DESK)
    assert desk.context["first_unclaimed"].pk == line[0].pk
    assert "reviewing" not in desk.content.decode().split('id="reports-heading"')[0]
    assert moderator_client.get(next_url(line[2]))["Location"] == review_url(line[0])


def test_when_every_story_is_claimed_by_others_the_desk_says_so(moderator_client, second_client):
    story = make_story()
    second_client.get(review_url(story))
    desk = moderator_client.get(DESK)
    assert desk.context["first_unclaimed"] is None
    assert "Other moderators are reviewing every story listed here." in desk.content.decode()


def test_taking_over_a_review_after_confirming_records_it(
    moderator_client, second_client, moderator, second_moderator
):
    story = make_story()
    moderator_client.get(review_url(story))
    taken = second_client.post(
        review_url(story), {"take_over": "1", "from_moderator": moderator.pk}
    )
    assert taken["Location"] == review_url(story)
    claim = ReviewClaim.objects.get(story=story)
    assert claim.moderator == second_moderator
    event = story.events.last()
    assert (event.actor, event.note) == (second_moderator, "Took over the review from moderator")
    assert event.from_status == event.to_status == Story.Status.PENDING
    # The first moderator now reads who has it.
    assert (
        "Luisa is reviewing this story" in moderator_client.get(review_url(story)).content.decode()
    )


def test_a_crafted_get_does_not_take_a_review_over(moderator_client, second_client, moderator):
    story = make_story()
    moderator_client.get(review_url(story))
    second_client.get(review_url(story), {"take_over": "1", "from_moderator": moderator.pk})
    assert ReviewClaim.objects.get(story=story).moderator == moderator
    assert not story.events.filter(note__startswith="Took over").exists()


@pytest.mark.parametrize("shown_holder", ["someone else", "nobody", "garbage"])
def test_a_take_over_of_a_claim_that_changed_hands_is_refused(
    moderator_client, second_client, moderator, second_moderator, django_user_model, shown_holder
):
    story = make_story()
    moderator_client.get(review_url(story))
    third = django_user_model.objects.create_user("third", password="x" * 20, is_staff=True)
    from_moderator = {"someone else": third.pk, "nobody": "", "garbage": "x"}[shown_holder]
    refused = second_client.post(
        review_url(story), {"take_over": "1", "from_moderator": from_moderator}, follow=True
    )
    assert "changed hands or ended meanwhile" in refused.content.decode()
    assert ReviewClaim.objects.get(story=story).moderator == moderator
    assert not story.events.filter(note__startswith="Took over").exists()


def test_taking_over_an_ended_claim_or_ones_own_is_refused(moderator_client, moderator):
    story = make_story()
    moderator_client.post(review_url(story), {"take_over": "1", "from_moderator": moderator.pk})
    assert not ReviewClaim.objects.filter(story=story).exists()  # nobody had it
    moderator_client.get(review_url(story))
    moderator_client.post(review_url(story), {"take_over": "1", "from_moderator": moderator.pk})
    assert not story.events.filter(note__startswith="Took over").exists()


def test_a_claim_does_not_lock_and_a_decision_ends_it(moderator_client, second_client):
    story = make_story()
    moderator_client.get(review_url(story))
    second_client.post(review_url(story), {"decision": "reject", "reason": "spam"})
    story.refresh_from_db()
    assert story.status == Story.Status.REJECTED
    assert not ReviewClaim.objects.filter(story=story).exists()


def test_the_list_action_ends_the_claims_of_the_stories_it_decides(moderator_client, line):
    for story in line:
        moderator_client.get(review_url(story))
    moderator_client.post(
        "/admin/stories/story/",
        {"action": "approve", "_selected_action": [line[0].pk, line[1].pk]},
    )
    assert list(ReviewClaim.objects.values_list("story", flat=True)) == [line[2].pk]


def test_a_failed_decision_shows_the_claim_without_renewing_it(moderator_client):
    story = make_story()
    moderator_client.get(review_url(story))
    claim_age(story, minutes=20, expires_in_minutes=10)
    before = ReviewClaim.objects.get(story=story).expires_at
    moderator_client.post(review_url(story), {"decision": "reject", "note": "no reason"})
    assert ReviewClaim.objects.get(story=story).expires_at == before


def test_a_decided_story_is_not_claimed_on_opening(moderator_client, moderator):
    story = make_story()
    story.approve(by=moderator)
    moderator_client.get(review_url(story))
    assert not ReviewClaim.objects.filter(story=story).exists()


def test_two_moderators_open_one_story_at_the_same_moment_and_one_claims_it(
    moderator, second_moderator
):
    story = make_story()
    first = ReviewClaim.open_review(story, by=moderator)
    second = ReviewClaim.open_review(story, by=second_moderator)
    assert first.moderator == second.moderator == moderator
    assert ReviewClaim.objects.count() == 1


def test_the_list_shows_who_is_reviewing_and_how_long_each_story_waited(
    moderator_client, second_client, line
):
    second_client.get(review_url(line[0]))
    claim_age(line[0], minutes=12, expires_in_minutes=18)
    sent_ago(line[1], days=9)
    page = moderator_client.get("/admin/stories/story/?status__exact=pending").content.decode()
    assert "Luisa, reviewing, 12 min" in page
    assert "Overdue by 2 days" in page


# --- The queue: risk and time ---


def test_the_queue_puts_overdue_stories_first_and_marks_them_in_words(moderator_client, settings):
    settings.PROMISED_REVIEW_DAYS = 7
    fresh = make_story(title="Sent yesterday", language="es")
    sent_ago(fresh, days=1)
    late = make_story(title="Sent ten days ago")
    sent_ago(late, days=10, hours=1)
    desk = moderator_client.get(DESK)
    assert [story.title for story in desk.context["pending"]] == [
        "Sent ten days ago",
        "Sent yesterday",
    ]
    assert [story.overdue for story in desk.context["pending"]] == [True, False]
    page = desk.content.decode()
    assert page.count("Overdue by") == 1
    assert "Overdue by 3 days" in page
    assert "within 7 days" in page
    assert "Español" in page or "Spanish" in page


def test_the_promise_on_the_desk_follows_the_setting(moderator_client, settings):
    settings.PROMISED_REVIEW_DAYS = 3
    story = make_story()
    sent_ago(story, days=4)
    page = moderator_client.get(DESK).content.decode()
    assert "within 3 days" in page and "Overdue by 1 day" in page
    Story.objects.filter(pk=story.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=3, hours=1)
    )
    assert "Overdue since today" in moderator_client.get(DESK).content.decode()


def test_the_queue_shows_recordings_to_hear_and_open_reports(moderator_client, moderator):
    unheard = make_story(title="With a recording to hear")
    give_recording(unheard)
    heard = make_story(title="With a cleared recording")
    give_recording(heard, cleared=True, by=moderator)
    reported = make_story(title="Reported twice")
    for n in range(3):
        Report.objects.create(story=reported, reason="other", reporter_hash=str(n) * 64)
    Report.objects.filter(story=reported).first().resolve("no_action", by=moderator)
    rows = {story.title: story for story in moderator_client.get(DESK).context["pending"]}
    assert rows["With a recording to hear"].recording_to_hear
    assert not rows["With a cleared recording"].recording_to_hear
    assert not rows["Reported twice"].recording_to_hear
    assert rows["Reported twice"].open_report_count == 2
    assert rows["With a recording to hear"].open_report_count == 0
    page = moderator_client.get(DESK).content.decode()
    assert page.count("To hear") == 1


# --- The promise narrators read ---


@pytest.mark.parametrize(
    ("days", "english", "spanish"),
    [
        (7, "a week", "una semana"),
        (14, "2 weeks", "2 semanas"),
        (10, "10 days", "10 días"),
        (1, "a day", "un día"),
    ],
)
def test_the_promise_is_worded_for_the_setting(settings, days, english, spanish):
    settings.PROMISED_REVIEW_DAYS = days
    assert promised_review_time() == english
    with override("es"):
        assert promised_review_time() == spanish


def test_the_thank_you_page_the_email_and_the_private_page_state_the_set_promise(client, settings):
    settings.PROMISED_REVIEW_DAYS = 10
    thanks = post_share(client, share_data(contact_email="me@example.org"), follow=True)
    assert "usually within 10 days" in thanks.content.decode()
    assert "usually within 10 days" in mail.outbox[0].body
    _link, token = withdrawal_link_on(thanks)
    private = client.get(f"/my-story/{token}/", follow=True).content.decode()
    assert "It usually takes about 10 days." in private
    spanish = client.get("/es/my-story/").content.decode()
    assert "más o menos 10 días" in spanish


def test_staff_without_the_right_to_change_stories_can_neither_claim_nor_take_over(
    moderator_client, moderator, django_user_model
):
    story = make_story()
    moderator_client.get(review_url(story))
    visitor = django_user_model.objects.create_user("visitor", password="x" * 20, is_staff=True)
    client = Client()
    client.force_login(visitor)
    assert client.get(review_url(story)).status_code == 403
    taken = client.post(review_url(story), {"take_over": "1", "from_moderator": moderator.pk})
    assert taken.status_code == 403
    assert ReviewClaim.objects.get(story=story).moderator == moderator
