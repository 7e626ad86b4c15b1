"""
The licence a narrator chooses with their consent, on the share form's last step:
the archive's offered licences, the default selected first, anything else refused.
"""

import re

import pytest
from django.utils.html import escape

from stories.models import Licence, Story

from ..factories import open_share_step, post_share, share_data

pytestmark = pytest.mark.django_db


def licence_radios(html):
    """(value, checked) of each licence radio, in the page's order."""
    return [
        (re.search(r'value="(\d+)"', tag).group(1), " checked" in tag)
        for tag in re.findall(r'<input type="radio" name="licence"[^>]*>', html)
    ]


def test_the_check_step_offers_the_licences_with_the_default_selected_first(
    client, open_licence, reserved
):
    html = open_share_step(client, "check").content.decode()
    assert licence_radios(html) == [(str(open_licence.pk), True), (str(reserved.pk), False)]
    assert "What may readers do with your story?" in html
    # Each is named by its short name and described in plain words, tied to its radio.
    assert open_licence.short_name in html and escape(open_licence.summary) in html
    assert 'aria-describedby="id_licence_0_description"' in html
    assert escape(reserved.summary) in html


def test_the_licences_are_named_and_described_in_spanish(client, reserved):
    html = open_share_step(client, "check", prefix="/es").content.decode()
    assert "¿Qué puede hacer el público con su historia?" in html
    assert escape(reserved.short_name_es) in html and escape(reserved.summary_es) in html


def test_a_licence_no_longer_offered_is_not_a_choice(client, open_licence, reserved):
    Licence.objects.filter(pk=reserved.pk).update(offered=False)
    html = open_share_step(client, "check").content.decode()
    assert licence_radios(html) == [(str(open_licence.pk), True)]


def test_the_story_keeps_the_licence_chosen_with_the_consent(client, reserved):
    post_share(client, share_data(licence=str(reserved.pk)))
    story = Story.objects.get()
    assert story.licence == reserved
    assert story.consent_given_at is not None


def test_the_default_is_what_a_narrator_who_changes_nothing_sends(client, open_licence):
    open_share_step(client, "check")
    data = share_data()
    response = client.post(
        "/share/check/",
        {
            "licence": str(open_licence.pk),
            "consent": "on",
            "consent_version": data["consent_version"],
            "send": "1",
        },
    )
    assert response.status_code == 302
    assert Story.objects.get().licence == open_licence


def test_the_licence_chosen_stays_when_the_narrator_goes_back(client, reserved):
    open_share_step(client, "check")
    client.post("/share/check/", {"licence": str(reserved.pk), "back": "1"})
    html = client.get("/share/check/").content.decode()
    assert (str(reserved.pk), True) in licence_radios(html)


@pytest.mark.parametrize(
    "posted",
    ["999999", "abc", "-1", str(2**70), "", "1 OR 1=1"],
    ids=["unknown", "text", "negative", "beyond-any-key", "empty", "injection"],
)
def test_a_licence_that_is_not_offered_is_refused_with_a_clear_error(client, posted):
    response = post_share(client, share_data(licence=posted))
    assert response.status_code == 200
    html = response.content.decode()
    assert not Story.objects.exists()
    assert re.search(
        r"That choice is not one of the licences offered|Choose what readers may do", html
    )
    assert 'href="#id_licence"' in html  # the error summary leads to the choice


def test_a_licence_withdrawn_from_the_list_cannot_be_sent(client, reserved):
    Licence.objects.filter(pk=reserved.pk).update(offered=False)
    response = post_share(client, share_data(licence=str(reserved.pk)))
    assert response.status_code == 200
    assert "That choice is not one of the licences offered" in response.content.decode()
    assert not Story.objects.exists()


def test_a_post_without_a_licence_is_refused(client):
    response = post_share(client, share_data(licence=None))
    assert response.status_code == 200
    assert "Choose what readers may do with your story." in response.content.decode()
    assert not Story.objects.exists()
