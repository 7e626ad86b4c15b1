"""
The licence on the narrator's private page: shown as chosen, changed only to a more
restrictive offered licence, never a wider one, whatever is posted.
"""

import pytest
from django.test import Client
from django.utils.html import escape

from stories.models import Licence, ModerationEvent

from ..readers import open_link, submitted_with_link

pytestmark = pytest.mark.django_db

CHANGE_BUTTON = "Change to these terms"


def private_page(client, token, prefix=""):
    response = open_link(client, token, prefix)
    assert response.status_code == 200
    return response.content.decode()


def test_the_private_page_shows_the_licence_chosen_and_offers_only_a_stricter_one(
    client, open_licence, reserved
):
    story, token = submitted_with_link(client, licence=str(open_licence.pk))
    html = private_page(client, token)
    assert "What readers may do with your story" in html
    assert f'<a href="{open_licence.url}">{open_licence.name}</a>' in html
    assert escape(open_licence.summary) in html
    # The one stricter licence, selected, with what happens to copies made before.
    assert f'name="licence" value="{reserved.pk}"' in html
    assert f'name="licence" value="{open_licence.pk}"' not in html
    assert CHANGE_BUTTON in html
    assert "Anyone who copied your story under the earlier terms keeps them" in html


def test_a_narrator_restricts_their_licence_and_is_told_after_the_redirect(client, reserved):
    story, token = submitted_with_link(client)
    open_link(client, token)
    response = client.post("/my-story/licence/", {"story": story.pk, "licence": reserved.pk})
    assert response.status_code == 302 and response["Location"] == "/my-story/"
    html = client.get("/my-story/").content.decode()
    assert "Your story's terms are now “All rights reserved”." in html
    story.refresh_from_db()
    assert story.licence == reserved
    event = story.events.latest("pk")
    assert isinstance(event, ModerationEvent) and event.actor is None
    assert event.note == "Licence made more restrictive"
    # The strictest now: nothing stricter to offer, and the message is shown once.
    assert CHANGE_BUTTON not in html
    assert "terms are now" not in client.get("/my-story/").content.decode()


def test_a_wider_licence_is_refused_whatever_is_posted(client, open_licence, reserved):
    story, token = submitted_with_link(client, licence=str(reserved.pk))
    open_link(client, token)
    response = client.post("/my-story/licence/", {"story": story.pk, "licence": open_licence.pk})
    assert response.status_code == 400
    assert "That choice is not one of the licences offered" in response.content.decode()
    story.refresh_from_db()
    assert story.licence == reserved
    assert not story.events.filter(note="Licence made more restrictive").exists()


@pytest.mark.parametrize("posted", ["", "abc", "999999", str(2**70), "-1"])
def test_a_hostile_licence_is_refused_with_the_page_never_a_server_error(client, posted):
    story, token = submitted_with_link(client)
    licence = story.licence
    open_link(client, token)
    response = client.post("/my-story/licence/", {"story": story.pk, "licence": posted})
    assert response.status_code == 400
    assert 'class="errors"' in response.content.decode()
    story.refresh_from_db()
    assert story.licence == licence


def test_a_licence_no_longer_offered_is_not_a_choice(client, reserved):
    story, token = submitted_with_link(client)
    Licence.objects.filter(pk=reserved.pk).update(offered=False)
    html = private_page(client, token)
    assert CHANGE_BUTTON not in html
    open_link(client, token)
    response = client.post("/my-story/licence/", {"story": story.pk, "licence": reserved.pk})
    assert response.status_code == 400
    story.refresh_from_db()
    assert story.licence != reserved


def test_only_the_story_of_this_sessions_link_and_only_by_post(client, reserved):
    story, token = submitted_with_link(client)
    other, _other_token = submitted_with_link(Client())
    open_link(client, token)
    assert client.get("/my-story/licence/")["Location"] == "/my-story/"
    assert (
        client.post("/my-story/licence/", {"story": other.pk, "licence": reserved.pk}).status_code
        == 404
    )
    assert (
        Client().post("/my-story/licence/", {"story": story.pk, "licence": reserved.pk}).status_code
        == 404
    )
    other.refresh_from_db()
    story.refresh_from_db()
    assert other.licence != reserved and story.licence != reserved


def test_a_withdrawn_story_has_no_licence_to_change(client, reserved):
    story, token = submitted_with_link(client)
    story.withdraw()
    html = private_page(client, token)
    assert CHANGE_BUTTON not in html
    assert (
        client.post("/my-story/licence/", {"story": story.pk, "licence": reserved.pk}).status_code
        == 404
    )


def test_the_spanish_private_page_names_the_licence_in_spanish(client, reserved):
    _story, token = submitted_with_link(client)
    html = private_page(client, token, prefix="/es")
    assert "Lo que el público puede hacer con su historia" in html
    assert escape(reserved.short_name_es) in html
