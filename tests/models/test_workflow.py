import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from stories.models import InvalidTransition, ModerationEvent, Story

from ..factories import make_published, make_story

pytestmark = pytest.mark.django_db

Status = Story.Status


def test_new_story_is_pending_and_not_published():
    story = make_story()
    assert story.status == Status.PENDING
    assert story.slug is None
    assert not Story.objects.published().filter(pk=story.pk).exists()


def test_approve_publishes_gives_slug_and_records_event(moderator):
    story = make_story(title="Mi tía y el consulado")
    event = story.approve(by=moderator, note="Looks good")
    story.refresh_from_db()
    assert story.status == Status.APPROVED
    assert story.slug == "mi-tía-y-el-consulado"
    assert story.published_at <= timezone.now()
    assert Story.objects.published().filter(pk=story.pk).exists()
    assert (event.actor, event.from_status, event.to_status, event.note) == (
        moderator,
        Status.PENDING,
        Status.APPROVED,
        "Looks good",
    )


@pytest.mark.parametrize(
    ("start", "method", "end"),
    [
        ([], "reject", Status.REJECTED),
        (["reject"], "return_to_review", Status.PENDING),
        (["approve"], "return_to_review", Status.PENDING),
        ([], "withdraw", Status.WITHDRAWN),
        (["approve"], "withdraw", Status.WITHDRAWN),
    ],
)
def test_every_allowed_transition_writes_one_event(moderator, start, method, end):
    story = make_story()
    for step in start:
        getattr(story, step)(by=moderator)
    before = ModerationEvent.objects.filter(story=story).count()
    kwargs = {} if method == "withdraw" else {"by": moderator}
    getattr(story, method)(**kwargs)
    story.refresh_from_db()
    assert story.status == end
    events = ModerationEvent.objects.filter(story=story)
    assert events.count() == before + 1
    assert events.last().to_status == end


@pytest.mark.parametrize(
    ("start", "method"),
    [
        (["approve"], "approve"),
        (["approve"], "reject"),
        (["reject"], "approve"),
        (["reject"], "withdraw"),
        (["withdraw"], "approve"),
        (["withdraw"], "return_to_review"),
        ([], "return_to_review"),
    ],
)
def test_invalid_transitions_are_refused_without_event(moderator, start, method):
    story = make_story()
    for step in start:
        if step == "withdraw":
            story.withdraw()
        else:
            getattr(story, step)(by=moderator)
    status_before = Story.objects.get(pk=story.pk).status
    events_before = ModerationEvent.objects.filter(story=story).count()
    with pytest.raises(InvalidTransition):
        if method == "withdraw":
            story.withdraw()
        else:
            getattr(story, method)(by=moderator)
    assert Story.objects.get(pk=story.pk).status == status_before
    assert ModerationEvent.objects.filter(story=story).count() == events_before


def test_stale_instance_cannot_approve_twice(moderator):
    story = make_story()
    stale_copy = Story.objects.get(pk=story.pk)
    story.approve(by=moderator)
    with pytest.raises(InvalidTransition):
        stale_copy.approve(by=moderator)
    assert ModerationEvent.objects.filter(story=story, to_status=Status.APPROVED).count() == 1


def test_embargoed_story_is_not_published_until_its_date(moderator):
    later = timezone.now() + datetime.timedelta(days=30)
    story = make_story(embargo_until=later)
    story.approve(by=moderator)
    assert story.published_at == later
    assert not Story.objects.published().filter(pk=story.pk).exists()


def test_slug_is_kept_when_reapproved_and_title_changed(moderator):
    story = make_published(title="First title")
    story.return_to_review(by=moderator)
    Story.objects.filter(pk=story.pk).update(title="Second title")
    story.refresh_from_db()
    story.approve(by=moderator)
    assert story.slug == "first-title"


def test_slug_falls_back_when_title_slugifies_to_nothing():
    story = make_published(title="!!! ???")
    assert story.slug == f"story-{story.pk}"


def test_slugs_stay_unique():
    first = make_published(title="Same words")
    second = make_published(title="Same words")
    assert first.slug == "same-words"
    assert second.slug == "same-words-2"


def test_withdrawn_public_story_is_known_as_once_public():
    story = make_published()
    story.withdraw()
    assert Story.objects.withdrawn_after_publication().filter(pk=story.pk).exists()
    never_public = make_story()
    never_public.withdraw()
    assert not Story.objects.withdrawn_after_publication().filter(pk=never_public.pk).exists()


def test_status_check_constraint_refuses_unknown_status():
    story = make_story()
    with pytest.raises(IntegrityError), transaction.atomic():
        Story.objects.filter(pk=story.pk).update(status="published")


def test_feature_records_event_without_changing_status(moderator):
    story = make_published()
    assert story.set_featured(True, by=moderator) is True
    assert story.set_featured(True, by=moderator) is False
    event = ModerationEvent.objects.filter(story=story).last()
    assert (event.from_status, event.to_status, event.note) == (
        Status.APPROVED,
        Status.APPROVED,
        "Featured",
    )
