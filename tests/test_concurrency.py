"""Many writers at once, on PostgreSQL: every submission saved exactly once, every decision once."""

import threading

import pytest
from django.db import connection
from django.test import Client

from stories.models import InvalidTransition, ModerationEvent, Story

from .factories import make_story, post_share, run_at_once, share_data

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
)

THREADS = 50
SUBMISSIONS_EACH = 10


def test_fifty_threads_of_ten_submissions_save_five_hundred_stories_once_each(
    seeded_transactional_db, settings
):
    settings.SHARE_RATE_LIMIT = SUBMISSIONS_EACH
    statuses = []
    lock = threading.Lock()

    def submit(n):
        client = Client()
        for k in range(SUBMISSIONS_EACH):
            data = share_data(title=f"Story {n}-{k}", submission_id=f"form-{n}-{k}")
            # Each thread is its own narrator, on an address of its own.
            response = post_share(client, data, REMOTE_ADDR=f"198.51.{n}.{k + 1}")
            with lock:
                statuses.append(response.status_code)

    assert run_at_once(submit, THREADS) == []
    assert statuses == [302] * (THREADS * SUBMISSIONS_EACH)
    titles = list(Story.objects.values_list("title", flat=True))
    assert len(titles) == len(set(titles)) == THREADS * SUBMISSIONS_EACH
    created = ModerationEvent.objects.filter(from_status="", to_status=Story.Status.PENDING)
    assert created.count() == THREADS * SUBMISSIONS_EACH
    assert set(created.values_list("story", flat=True)) == set(
        Story.objects.values_list("pk", flat=True)
    )


def test_two_moderators_approving_at_once_make_one_approval(
    seeded_transactional_db, django_user_model
):
    story = make_story(title="Decided once")
    moderators = [
        django_user_model.objects.create_user(f"moderator{n}", password="x" * 20, is_staff=True)
        for n in range(2)
    ]
    refused = []

    def approve(n):
        try:
            Story.objects.get(pk=story.pk).approve(by=moderators[n])
        except InvalidTransition:
            refused.append(n)

    assert run_at_once(approve, 2) == []
    assert len(refused) == 1
    assert story.events.filter(to_status=Story.Status.APPROVED).count() == 1
