"""A story readers never saw leaves no trace: 410 and a deleted OAI record only for one they saw.

Each story's life is played out at explicit times in the past, a month
before the test runs, so its embargo date has passed by the time its roads
are asked.
"""

import datetime
import importlib

import pytest
from django.utils import timezone

from stories.models import Story

from ..factories import make_story
from ..readers import NS, PREFIX, harvest

pytestmark = pytest.mark.django_db

START = timezone.now() - datetime.timedelta(days=30)
EMBARGO = START + datetime.timedelta(days=10)


def day(n):
    return START + datetime.timedelta(days=n)


@pytest.fixture
def clock(monkeypatch):
    """``clock(moment)`` sets the time the archive reads; ``clock(None)``, the real time again."""
    real_now = timezone.now

    def set_time(moment):
        monkeypatch.setattr(timezone, "now", real_now if moment is None else (lambda: moment))

    return set_time


def lived(clock, moderator, steps, **fields):
    """A story taken through ``steps``: (day, action) pairs, then the real time again."""
    clock(day(0))
    story = make_story(title="Zqlived story", **fields)
    for n, action in steps:
        clock(day(n))
        action(story, moderator)
        # Events are dated by a default the clock cannot reach: dated here instead.
        story.events.filter(created_at__gt=day(n)).update(created_at=day(n))
    clock(None)
    story.refresh_from_db()
    return story


def approve(story, moderator):
    story.approve(by=moderator)


def return_to_review(story, moderator):
    story.return_to_review(by=moderator)


def withdraw(story, moderator):
    story.withdraw()


def ask_for_embargo(story, moderator):
    story.embargo_until = day(20)
    story.save()


NEVER_SEEN = {
    "embargoed, then withdrawn before its date": [(0, approve), (2, withdraw)],
    "embargoed, returned to review before its date, withdrawn after it": [
        (0, approve),
        (2, return_to_review),
        (15, withdraw),
    ],
    "embargoed, returned to review before its date, never approved again": [
        (0, approve),
        (2, return_to_review),
    ],
}

ONCE_SEEN = {
    "visible, then withdrawn": [(0, approve), (2, withdraw)],
    "visible, returned to review, embargoed on approval again, withdrawn before that date": [
        (0, approve),
        (2, return_to_review),
        (3, ask_for_embargo),
        (4, approve),
        (5, withdraw),
    ],
}


def oai_identifiers(client):
    tree = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    return {node.text for node in tree.iterfind(".//oai:header/oai:identifier", NS)}


@pytest.mark.parametrize("steps", NEVER_SEEN.values(), ids=NEVER_SEEN.keys())
def test_a_story_never_seen_answers_like_an_unknown_story_on_every_road(
    client, moderator, clock, steps
):
    embargo = {"embargo_until": EMBARGO} if steps[0][1] is approve else {}
    story = lived(clock, moderator, steps, **embargo)
    assert story.slug, "approved once, so it was given an address"
    unknown = client.get("/stories/no-such-story/")
    page = client.get(f"/stories/{story.slug}/")
    assert page.status_code == 404
    assert page.content == unknown.content.replace(b"no-such-story", story.slug.encode())
    assert client.get(f"/s/{story.pk}/").status_code == 404
    assert client.get(f"/s/{story.pk}/cite.bib").status_code == 404
    assert client.get(f"/api/v1/stories/{story.pk}/").status_code == 404

    assert PREFIX + str(story.pk) not in oai_identifiers(client)
    record = harvest(
        client, verb="GetRecord", identifier=PREFIX + str(story.pk), metadataPrefix="oai_dc"
    )
    assert record.find("oai:error", NS).get("code") == "idDoesNotExist"
    for road in ("/sitemap.xml", "/feeds/stories.rss", "/feeds/stories.atom"):
        assert "Zqlived" not in client.get(road).content.decode(), road
    assert not story.was_once_visible
    assert not Story.objects.once_visible().filter(pk=story.pk).exists()


@pytest.mark.parametrize("steps", ONCE_SEEN.values(), ids=ONCE_SEEN.keys())
def test_a_story_once_seen_then_withdrawn_answers_gone_and_is_a_deleted_record(
    client, moderator, clock, steps
):
    story = lived(clock, moderator, steps)
    assert client.get(f"/stories/{story.slug}/").status_code == 410
    assert client.get(f"/s/{story.pk}/").status_code == 410
    record = harvest(
        client, verb="GetRecord", identifier=PREFIX + str(story.pk), metadataPrefix="oai_dc"
    )
    assert record.find(".//oai:header", NS).get("status") == "deleted"
    assert PREFIX + str(story.pk) in oai_identifiers(client)
    assert story.was_once_visible and not story.is_visible


def test_a_story_seen_then_returned_to_review_stays_a_deleted_record(client, moderator, clock):
    story = lived(clock, moderator, [(0, approve), (2, return_to_review)])
    assert client.get(f"/stories/{story.slug}/").status_code == 404
    record = harvest(
        client, verb="GetRecord", identifier=PREFIX + str(story.pk), metadataPrefix="oai_dc"
    )
    assert record.find(".//oai:header", NS).get("status") == "deleted"
    assert story.was_once_visible


def test_an_embargoed_story_approved_again_after_its_date_becomes_visible(client, moderator, clock):
    story = lived(
        clock,
        moderator,
        [(0, approve), (2, return_to_review), (12, approve)],
        embargo_until=EMBARGO,
    )
    assert story.published_at == day(12)
    assert client.get(f"/stories/{story.slug}/").status_code == 200
    assert story.is_visible and story.was_once_visible


def test_stories_that_left_the_site_before_the_field_existed_get_it_from_their_history(
    moderator, clock
):
    """Migration 0013 fills first_visible_at from the events of stories that had left."""
    from django.apps import apps

    migration = importlib.import_module("stories.migrations.0013_first_visible_at")
    seen = lived(clock, moderator, [(0, approve), (2, withdraw)])
    never_seen = lived(clock, moderator, [(0, approve), (2, withdraw)], embargo_until=EMBARGO)
    visible = lived(clock, moderator, [(0, approve)])
    Story.objects.update(first_visible_at=None)

    migration.record_who_was_seen(apps, schema_editor=None)

    assert Story.objects.get(pk=seen.pk).first_visible_at == day(0)
    assert Story.objects.get(pk=never_seen.pk).first_visible_at is None
    assert Story.objects.get(pk=visible.pk).first_visible_at is None  # published_at says it
    assert set(Story.objects.once_visible()) == {seen, visible}
