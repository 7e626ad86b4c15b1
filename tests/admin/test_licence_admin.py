"""
The licences in the admin: administrators configure the list, moderators read it; on a
story, the licence is the narrator's (read-only) and the persistent identifier is edited
with the model's checks.
"""

import pytest

from stories.models import Licence, Story

from ..factories import admin_form_data, make_story

pytestmark = pytest.mark.django_db

LICENCES = "/admin/stories/licence/"


def licence_data(**changes):
    return {
        "code": "cc-by-nc-4.0",
        "url": "https://creativecommons.org/licenses/by-nc/4.0/",
        "restriction": "5",
        "allows_republishing": "on",
        "offered": "on",
        "name": "Creative Commons Attribution-NonCommercial 4.0 International",
        "name_es": "",
        "short_name": "CC BY-NC 4.0",
        "short_name_es": "",
        "summary": "Anyone may share or adapt this story, not for money, naming the narrator.",
        "summary_es": "",
        **changes,
    }


def test_the_list_shows_restriction_default_and_offered(administrator_client):
    make_story()
    html = administrator_client.get(LICENCES).content.decode()
    for column in ("column-restriction", "column-is_default", "column-offered"):
        assert column in html
    assert "CC BY-NC-ND 4.0" in html and "All rights reserved" in html


def test_an_administrator_adds_a_licence_that_narrators_are_then_offered(administrator_client):
    response = administrator_client.post(f"{LICENCES}add/", licence_data())
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Licence.objects.offered().first().code == "cc-by-nc-4.0"


@pytest.mark.parametrize("code", ["CC-BY", "cc by", "cc-by-", "cc..by", "<b>"])
def test_a_licence_code_is_lowercase_words_with_hyphens_and_dots(administrator_client, code):
    response = administrator_client.post(f"{LICENCES}add/", licence_data(code=code))
    assert response.status_code == 200
    assert "code" in response.context["adminform"].form.errors
    assert not Licence.objects.filter(code=code).exists()


def test_a_licence_in_use_keeps_its_terms_and_cannot_be_deleted(administrator_client):
    story = make_story()
    licence = story.licence
    html = administrator_client.get(f"{LICENCES}{licence.pk}/change/").content.decode()
    for fixed in ("url", "restriction", "allows_republishing", "code"):
        assert f'name="{fixed}"' not in html
    assert 'name="offered"' in html  # retired by no longer offering it
    assert administrator_client.get(f"{LICENCES}{licence.pk}/delete/").status_code == 403
    unused = Licence.objects.exclude(pk=licence.pk).get()
    html = administrator_client.get(f"{LICENCES}{unused.pk}/change/").content.decode()
    assert 'name="url"' in html and 'name="code"' not in html


def test_a_moderator_may_read_the_licences_but_not_change_them(moderator_client):
    licence = Licence.objects.default()
    assert moderator_client.get(LICENCES).status_code == 200
    assert moderator_client.get(f"{LICENCES}{licence.pk}/change/").status_code == 200
    assert moderator_client.get(f"{LICENCES}add/").status_code == 403
    response = moderator_client.post(
        f"{LICENCES}{licence.pk}/change/", licence_data(code=licence.code, offered="")
    )
    assert response.status_code == 403
    licence.refresh_from_db()
    assert licence.offered


def test_on_a_story_the_licence_is_read_only_and_a_post_cannot_change_it(moderator_client):
    story = make_story()
    narrators = story.licence
    other = Licence.objects.exclude(pk=narrators.pk).get()
    html = moderator_client.get(f"/admin/stories/story/{story.pk}/change/").content.decode()
    assert 'name="licence"' not in html and narrators.short_name in html
    assert 'name="persistent_identifier"' in html
    data = admin_form_data(moderator_client, story, licence=other.pk, title="A new title")
    response = moderator_client.post(f"/admin/stories/story/{story.pk}/change/", data)
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.title == "A new title" and story.licence == narrators


def test_a_moderator_records_a_persistent_identifier_normalised(moderator_client):
    story = make_story()
    data = admin_form_data(
        moderator_client, story, persistent_identifier="https://doi.org/10.5072/abc.1"
    )
    response = moderator_client.post(f"/admin/stories/story/{story.pk}/change/", data)
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.persistent_identifier == "doi:10.5072/abc.1"


@pytest.mark.parametrize("value", ["not an identifier", "http://example.org/12", "10.5/x"])
def test_an_identifier_that_is_neither_ark_nor_doi_is_refused(moderator_client, value):
    story = make_story()
    data = admin_form_data(moderator_client, story, persistent_identifier=value)
    response = moderator_client.post(f"/admin/stories/story/{story.pk}/change/", data)
    assert response.status_code == 200
    assert "Enter an ARK" in response.content.decode()
    assert Story.objects.get(pk=story.pk).persistent_identifier == ""


def test_an_identifier_another_story_has_is_refused_however_it_is_written(moderator_client):
    make_story(persistent_identifier="ark:/99999/fk4taken")
    story = make_story()
    data = admin_form_data(
        moderator_client, story, persistent_identifier="https://n2t.net/ark:/99999/fk4taken"
    )
    response = moderator_client.post(f"/admin/stories/story/{story.pk}/change/", data)
    assert response.status_code == 200
    assert Story.objects.get(pk=story.pk).persistent_identifier == ""


def test_an_administrator_retires_a_licence_in_use_by_no_longer_offering_it(
    administrator_client,
):
    story = make_story()
    licence = story.licence
    data = {
        name: getattr(licence, name)
        for name in ("name", "name_es", "short_name", "short_name_es", "summary", "summary_es")
    }
    response = administrator_client.post(f"{LICENCES}{licence.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    licence.refresh_from_db()
    assert not licence.offered and licence not in Licence.objects.offered()
    story.refresh_from_db()
    assert story.licence == licence  # the story keeps what its narrator chose
