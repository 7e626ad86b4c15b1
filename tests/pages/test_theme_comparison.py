"""The theme page as a comparison, its "Compare two voices" control, the cards' new face,
and where moderators choose a quote, a colour and a mark."""

import re

import pytest

from stories.models import Perspective, Story

from ..factories import admin_edit, admin_form_data, give_recording, make_published

pytestmark = pytest.mark.django_db

QUOTE = "The nurse spoke Spanish and nobody asked for anything but her name."


@pytest.fixture
def legal_aid():
    """Stories on legal aid from critics (one quoted) and advocates; none from the others."""
    make_published(title="Critic unquoted", perspective="critics", themes=["legal-aid"])
    make_published(title="Critic quoted", perspective="critics", themes=["legal-aid"], quote=QUOTE)
    make_published(
        title="Advocate story",
        perspective="advocates",
        themes=["legal-aid"],
        summary="An advocate's summary.",
    )


def voice_texts(html, css_class):
    """The quotes shown in the list of ``css_class`` (voice-row or compared), in order."""
    block = re.search(rf'<ul class="{css_class}".*?</ul>', html, re.S).group()
    return re.findall(r'<blockquote class="voice-quote"[^>]*><p>(.*?)</p>', block, re.S)


def test_the_theme_page_quotes_each_perspective_in_one_row(client, legal_aid):
    html = client.get("/themes/legal-aid/").content.decode()
    # In the perspectives' display order: advocates before critics.
    assert voice_texts(html, "voice-row") == ["An advocate&#x27;s summary.", QUOTE]
    # Every perspective is in the row, the missing ones said to be missing.
    assert html.count('class="voice colour-') == 6
    assert html.count("No story from this perspective on this theme yet.") == 4 * 2
    # The jump bar's anchors lead to each perspective's stories below.
    jumps = re.findall(r'<a href="#(voice-[a-z-]+)">', html)
    assert jumps == [f"voice-{p.slug}" for p in Perspective.objects.all()]
    for anchor in jumps:
        assert f'id="{anchor}"' in html
    assert "Read the whole story" in html
    # The introduction for each layout, and never "Each column".
    assert "Read across: one voice from each perspective" in html
    assert "Swipe through one voice from each perspective" in html
    assert "Each column" not in html
    # The theme's feeds stay in the head.
    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert "/feeds/themes/legal-aid.rss" in html or "feed" in html


def test_two_voices_are_compared_side_by_side(client, legal_aid):
    response = client.get("/themes/legal-aid/", {"compare": "advocates", "with": "critics"})
    assert [v.perspective.slug for v in response.context["compared"]] == ["advocates", "critics"]
    html = response.content.decode()
    assert voice_texts(html, "compared") == ["An advocate&#x27;s summary.", QUOTE]
    # The menus keep the choice.
    assert re.search(r'<option value="advocates" selected>', html)
    spanish = client.get("/es/themes/legal-aid/", {"compare": "critics", "with": "advocates"})
    assert "Comparar dos voces" in spanish.content.decode()
    assert [v.perspective.slug for v in spanish.context["compared"]] == ["critics", "advocates"]


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"compare": "critics", "with": "critics"}, "Choose two different perspectives"),
        ({"compare": "critics", "with": "nobody"}, "Select a valid choice"),
        ({"compare": "<script>", "with": "critics"}, "Select a valid choice"),
        ({"compare": "critics"}, "This field is required"),
        ({"with": "critics", "compare": ""}, "This field is required"),
    ],
)
def test_a_comparison_asked_wrongly_says_why_and_shows_the_page(client, legal_aid, query, error):
    response = client.get("/themes/legal-aid/", query)
    assert response.status_code == 200
    assert response.context["compared"] is None
    html = response.content.decode()
    assert error in html
    assert "<script>" not in html.split("<main", 1)[1]
    assert voice_texts(html, "voice-row")  # the page itself is all there


def test_without_a_comparison_asked_the_form_offers_two_perspectives(client, legal_aid):
    response = client.get("/themes/legal-aid/")
    assert response.context["compared"] is None
    html = response.content.decode()
    assert "errorlist" not in html
    assert re.search(r'name="compare"[^>]*>\s*<option value="immigrants" selected>', html)
    assert re.search(r'name="with"[^>]*>\s*<option value="immigrants">', html)
    assert '<option value="law-enforcement" selected>' in html


def test_cards_show_who_speaks_and_their_words_not_theme_pills(client):
    quoted = make_published(
        title="A quoted story", perspective="critics", themes=["legal-aid"], quote=QUOTE
    )
    make_published(title="A summarised one", summary="What it is about.", themes=["belonging"])
    heard = make_published(title="A story to hear")
    give_recording(heard, cleared=True)
    html = client.get("/stories/").content.decode()
    assert 'class="theme-tags"' not in html
    card = re.search(r'<article class="story-card colour-plum">.*?</article>', html, re.S).group()
    assert '<span class="mark mark-diamond" aria-hidden="true"></span>' in card
    assert ">Critics</a>" in card
    assert f'<blockquote class="card-quote" lang="en"><p>{QUOTE}</p></blockquote>' in card
    assert quoted.title in card and "Sample story" not in card
    assert "What it is about." in html
    assert html.count('class="card-listen"') == 1
    assert f'href="{heard.get_absolute_url()}#listen"' in html


def test_every_perspective_shows_its_mark_with_its_name(client):
    for path in ("/", "/perspectives/", "/themes/", "/perspectives/critics/"):
        html = client.get(path).content.decode()
        labels = re.findall(
            r'<span class="perspective-label colour-([a-z]+)"><span class="mark mark-([a-z]+)" '
            r'aria-hidden="true"></span>(?:<a [^>]*>|<span class="perspective-name">)([^<]+)<',
            html,
        )
        assert labels, path
        assert all(name.strip() for _colour, _mark, name in labels), path
    critics = client.get("/perspectives/critics/").content.decode()
    assert re.search(r'<h1 class="perspective-heading">.*?mark-diamond.*?Critics', critics, re.S)


def test_moderators_choose_a_quote_from_the_story_in_the_admin(moderator_client):
    story = make_published(title="To quote")
    response = moderator_client.post(
        f"/admin/stories/story/{story.pk}/change/",
        admin_form_data(moderator_client, story, quote="Words nobody said."),
    )
    assert response.status_code == 200
    assert "The quote must be words of the story itself" in response.content.decode()
    admin_edit(moderator_client, story, quote=f"“{QUOTE.lower()}”")
    assert Story.objects.get(pk=story.pk).quote == f"“{QUOTE.lower()}”"


def test_moderators_give_a_perspective_a_colour_and_a_mark(moderator_client):
    critics = Perspective.objects.get(slug="critics")
    url = f"/admin/stories/perspective/{critics.pk}/change/"
    html = moderator_client.get(url).content.decode()
    assert 'name="colour"' in html and 'name="mark"' in html
    data = {
        "name": critics.name,
        "slug": critics.slug,
        "description": critics.description,
        "name_es": critics.name_es,
        "description_es": critics.description_es,
        "colour": "olive",
        "mark": "cross",
        "display_order": critics.display_order,
    }
    assert moderator_client.post(url, data).status_code == 302
    critics.refresh_from_db()
    assert (critics.colour, critics.mark) == ("olive", "cross")


def test_the_public_record_gives_the_quote(client):
    story = make_published(title="Quoted for machines", quote=QUOTE)
    record = client.get(f"/api/v1/stories/{story.pk}/").json()
    assert record["quote"] == QUOTE
    listed = client.get("/api/v1/stories/").json()["results"]
    assert [entry["quote"] for entry in listed] == [QUOTE]
