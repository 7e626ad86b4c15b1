"""
The licence as readers meet it: beside each story (rel="license", in the reader's
language, how to ask to republish where it does not allow it), and on the Data page
(every licence, how to ask to republish and whom).
"""

import pytest
from django.utils.html import escape

from stories.models import ArchiveStatement, Licence

from ..factories import make_published

pytestmark = pytest.mark.django_db


def reuse_terms(client, story, prefix=""):
    html = client.get(f"{prefix}{story.get_absolute_url()}").content.decode()
    start = html.index('class="reuse-terms"')
    return html[start : html.index("</section>", start)]


def test_the_story_page_states_its_licence_with_rel_license(client, open_licence):
    story = make_published(licence=open_licence)
    terms = reuse_terms(client, story)
    assert f'<a rel="license" href="{open_licence.url}">CC BY-NC-ND 4.0</a>' in terms
    assert escape(open_licence.summary) in terms
    # It allows republishing: no need to ask.
    assert "How to ask to republish" not in terms
    assert 'href="/data/#reuse"' in terms


def test_a_story_that_may_not_be_republished_says_how_to_ask(client, reserved):
    story = make_published(licence=reserved)
    terms = reuse_terms(client, story)
    assert f'<a rel="license" href="{reserved.url}">All rights reserved</a>' in terms
    assert '<a href="/data/#ask-to-republish">How to ask to republish</a>' in terms


def test_the_licence_is_in_the_readers_language(client, reserved):
    story = make_published(licence=reserved)
    terms = reuse_terms(client, story, prefix="/es")
    assert f'rel="license" href="{reserved.url}">{reserved.short_name_es}</a>' in terms
    assert escape(reserved.summary_es) in terms
    assert "/es/data/#ask-to-republish" in terms
    assert "Cómo pedir permiso para volver a publicar" in terms


def test_the_data_page_lists_every_licence_and_how_to_ask(client, open_licence, reserved):
    ArchiveStatement(
        contact_email="ask@library.example.org", contact="Write to the reading room."
    ).save()
    Licence.objects.filter(pk=reserved.pk).update(offered=False)
    html = client.get("/data/").content.decode()
    assert '<a href="#ask-to-republish">' in html  # on this page
    reuse = html[html.index('id="reuse"') : html.index('id="ask-to-republish"')]
    for licence in (open_licence, reserved):
        assert f'<a href="{licence.url}">{escape(licence.name)}</a>' in reuse
        assert escape(licence.summary) in reuse
    assert "no longer offered to narrators" in reuse  # stories may still hold it
    ask = html[html.index('id="ask-to-republish"') :]
    ask = ask[: ask.index("</section>")]
    assert 'href="mailto:ask@library.example.org"' in ask
    assert "Write to the reading room." in ask
    assert "permanent address" in ask and "where you would republish it" in ask


def test_the_data_page_says_so_when_no_contact_is_given(client):
    html = client.get("/es/data/").content.decode()
    ask = html[html.index('id="ask-to-republish"') :]
    assert "Cómo pedir permiso para volver a publicar" in ask
    assert "mailto:" not in ask[: ask.index("</section>")]
