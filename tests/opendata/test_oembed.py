"""oEmbed: the /oembed road, the embed page it frames, and the discovery link of story pages."""

import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from stories.models import Licence, Story
from stories.opendata import oembed, records

from ..factories import give_recording, make_published, make_story

pytestmark = pytest.mark.django_db

SITE = "http://testserver"


@pytest.fixture
def story():
    story = make_published(
        title="The clinic waiting room",
        narrator_name="Rosa Alvarado",
        narrator_descriptor="nurse, Boyle Heights",
        perspective="immigrants",
        body="The room was full. Then nobody came.",
    )
    Story.objects.filter(pk=story.pk).update(quote="Then nobody came.")
    story.refresh_from_db()
    return story


def ask(client, url, **params):
    return client.get("/oembed", {"url": url, **params})


class Frame(HTMLParser):
    """The attributes of the one <iframe> in an oEmbed answer's html."""

    def __init__(self, html):
        super().__init__()
        self.frames = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "iframe":
            self.frames.append(dict(attrs))


@pytest.mark.parametrize(
    ("address", "language"),
    [("/stories/{slug}/", "en"), ("/es/stories/{slug}/", "es"), ("/s/{pk}/", "en")],
)
def test_a_story_address_in_either_language_gets_a_rich_card(client, story, address, language):
    url = SITE + address.format(slug=story.slug, pk=story.pk)
    response = ask(client, url, format="json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    card = response.json()
    assert card["type"] == "rich" and card["version"] == "1.0"
    assert card["title"] == "The clinic waiting room"
    assert card["author_name"] == "Rosa Alvarado"
    assert card["provider_name"] == {"en": "Perspectives", "es": "Perspectivas"}[language]
    assert card["provider_url"] == SITE + {"en": "/", "es": "/es/"}[language]
    (frame,) = Frame(card["html"]).frames
    prefix = "/es" if language == "es" else ""
    assert frame["src"] == f"{SITE}{prefix}/embed/{story.pk}/"
    assert frame["title"].startswith("The clinic waiting room: ")
    assert (int(frame["width"]), int(frame["height"])) == (card["width"], card["height"])
    assert card["width"] == oembed.WIDTH
    assert "thumbnail_url" not in card


def test_an_anonymous_narrator_is_no_author(client, story):
    Story.objects.filter(pk=story.pk).update(is_anonymous=True)
    card = ask(client, f"{SITE}/s/{story.pk}/").json()
    assert "author_name" not in card
    assert "Rosa" not in str(card)


def test_the_size_never_passes_what_the_consumer_allows(client, story):
    default = ask(client, f"{SITE}/s/{story.pk}/").json()
    narrow = ask(client, f"{SITE}/s/{story.pk}/", maxwidth="380", maxheight="300").json()
    assert narrow["width"] == 380 and narrow["height"] == 300
    assert 'width="380" height="300"' in narrow["html"]
    # A narrow card is taller: its lines wrap.
    tall = ask(client, f"{SITE}/s/{story.pk}/", maxwidth="380").json()
    assert tall["height"] > default["height"]
    # A wider maximum than the card's own leaves the card as it is.
    wide = ask(client, f"{SITE}/s/{story.pk}/", maxwidth="2000", maxheight="2000").json()
    assert (wide["width"], wide["height"]) == (default["width"], default["height"])


@pytest.mark.parametrize("value", ["", "0", "-5", "abc", "3.5", "١٢٣", "9" * 40, " "])
def test_a_size_that_is_no_number_of_pixels_is_ignored(client, story, value):
    default = ask(client, f"{SITE}/s/{story.pk}/").json()
    card = ask(client, f"{SITE}/s/{story.pk}/", maxwidth=value, maxheight=value)
    assert card.status_code == 200
    assert (card.json()["width"], card.json()["height"]) == (default["width"], default["height"])


def record_of(story):
    return records.PublicRecord.of(records.public_stories().get(pk=story.pk))


def test_the_card_is_taller_with_a_quote_and_a_player(story):
    bare = record_of(make_published(title="Bare story"))
    assert oembed.card_size(record_of(story))[1] == oembed.card_size(bare)[1] + oembed.QUOTE_HEIGHT
    give_recording(story, cleared=True)
    assert oembed.card_size(record_of(story))[1] == (
        oembed.card_size(bare)[1] + oembed.QUOTE_HEIGHT + oembed.PLAYER_HEIGHT
    )
    # Not for a voice kept private: no player on its card.
    Story.objects.get(pk=story.pk).keep_voice_private()
    assert oembed.card_size(record_of(story))[1] == oembed.card_size(bare)[1] + oembed.QUOTE_HEIGHT


def test_xml_and_other_formats_are_not_implemented(client, story):
    for name in ("xml", "XML", "yaml"):
        assert ask(client, f"{SITE}/s/{story.pk}/", format=name).status_code == 501


def test_no_url_is_a_bad_request(client):
    assert client.get("/oembed").status_code == 400
    assert client.get("/oembed", {"format": "json"}).status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "https://elsewhere.example.org/stories/{slug}/",
        "http://testserver.example.org/stories/{slug}/",
        "ftp://testserver/stories/{slug}/",
        "//testserver/stories/{slug}/",
        "/stories/{slug}/",
        "http://testserver/stories/no-such-story/",
        "http://testserver/s/999999/",
        "http://testserver/about/",
        "http://testserver/api/v1/stories/{pk}/",
        "http://testserver/stories/{slug}/report/",
        "http://[testserver/s/{pk}/",
        "javascript:alert(1)",
        "not a url at all",
    ],
)
def test_any_other_address_is_not_found(client, story, url):
    response = ask(client, url.format(slug=story.slug, pk=story.pk))
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


def test_hidden_stories_are_not_found_and_never_named(client, every_state_archive):
    for state, hidden in every_state_archive.items():
        if state == "visible":
            continue
        urls = [f"{SITE}/s/{hidden.pk}/", f"{SITE}/embed/{hidden.pk}/"]
        if hidden.slug:
            urls += [f"{SITE}/stories/{hidden.slug}/", f"{SITE}/es/stories/{hidden.slug}/"]
        for url in urls:
            response = ask(client, url)
            assert response.status_code == 404, (state, url)
            assert hidden.title not in response.content.decode()


def test_the_discovery_link_names_the_story_page_in_its_language(client, story):
    for prefix in ("", "/es"):
        html = client.get(f"{prefix}/stories/{story.slug}/").content.decode()
        (link,) = re.findall(r'<link rel="alternate" type="application/json\+oembed"[^>]*>', html)
        href = re.search(r'href="([^"]+)"', link).group(1).replace("&amp;", "&")
        assert 'title="The clinic waiting room"' in link
        address = urlsplit(href)
        assert f"{address.scheme}://{address.netloc}{address.path}" == f"{SITE}/oembed"
        query = parse_qs(address.query)
        assert query == {"url": [f"{SITE}{prefix}/stories/{story.slug}/"], "format": ["json"]}
        # And it answers.
        assert client.get(href).json()["title"] == "The clinic waiting room"


# --- The embed page ---


def test_the_embed_page_is_the_compact_card(client, story):
    licence = Licence.objects.most_restrictive()
    story.restrict_licence(licence)
    html = client.get(f"/embed/{story.pk}/").content.decode()
    assert '<html lang="en">' in html
    assert "<main" in html
    assert "The clinic waiting room" in html
    assert "Rosa Alvarado" in html and "nurse, Boyle Heights" in html
    assert "Then nobody came." in html
    assert f'href="/stories/{story.slug}/" target="_blank" rel="noopener"' in html
    assert "Read the whole story on Perspectives" in html
    assert f'<a rel="license noopener" href="{licence.url}" target="_blank">' in html
    assert licence.short_name in html
    # Slim: none of the site's header, navigation or footer; no script at all.
    assert "site-header" not in html and "<nav" not in html and "<footer" not in html
    assert "<script" not in html
    assert 'name="robots" content="noindex"' in html
    assert "<audio" not in html  # no recording


def test_the_embed_page_in_spanish(client, story):
    html = client.get(f"/es/embed/{story.pk}/").content.decode()
    assert '<html lang="es">' in html
    assert "Leer la historia completa en Perspectivas" in html
    assert f'href="/es/stories/{story.slug}/"' in html


def test_an_anonymous_narrator_is_anonymous_on_the_card(client, story):
    Story.objects.filter(pk=story.pk).update(is_anonymous=True)
    html = client.get(f"/embed/{story.pk}/").content.decode()
    assert "Anonymous" in html and "Rosa" not in html


def test_the_player_only_for_a_recording_readers_may_hear(client, story):
    recording = give_recording(story, cleared=False, transcript=[(0, "Said aloud")])
    assert "<audio" not in client.get(f"/embed/{story.pk}/?v=1").content.decode()
    recording.set_cleared(True, by=None)
    html = client.get(f"/embed/{story.pk}/?v=2").content.decode()
    assert f'src="/recordings/{story.pk}/"' in html
    assert f'src="/recordings/{story.pk}/captions.vtt"' in html
    story = Story.objects.get(pk=story.pk)
    story.keep_voice_private()
    html = client.get(f"/embed/{story.pk}/?v=3").content.decode()
    assert "<audio" not in html and f"/recordings/{story.pk}/" not in html


def test_only_the_embed_page_may_be_framed_by_any_site(client, story):
    embed = client.get(f"/embed/{story.pk}/")
    assert "frame-ancestors *" in embed["Content-Security-Policy"]
    assert "'none'" not in re.search(r"frame-ancestors[^;]*", embed["Content-Security-Policy"])[0]
    assert "X-Frame-Options" not in embed
    # The rest of the policy is untouched.
    assert "default-src 'none'" in embed["Content-Security-Policy"]
    assert "script-src 'self'" in embed["Content-Security-Policy"]
    for url in (
        f"/stories/{story.slug}/",
        "/",
        "/es/stories/",
        f"/s/{story.pk}/",
        f"/oembed?url={SITE}/s/{story.pk}/",
        "/embed/999999/",
    ):
        response = client.get(url)
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], url
        assert response["X-Frame-Options"] == "DENY", url


def test_the_embed_page_keeps_its_headers_from_the_page_cache(client, story, settings):
    settings.PAGE_CACHE_SECONDS = 60
    made = client.get(f"/embed/{story.pk}/")
    kept = client.get(f"/embed/{story.pk}/")
    for response in (made, kept):
        assert "frame-ancestors *" in response["Content-Security-Policy"]
        assert "X-Frame-Options" not in response
    # And a story page kept by the cache still refuses to be framed.
    client.get(f"/stories/{story.slug}/")
    kept_page = client.get(f"/stories/{story.slug}/")
    assert kept_page["X-Frame-Options"] == "DENY"


def test_a_hidden_story_has_no_card(client, every_state_archive):
    for state, hidden in every_state_archive.items():
        if state == "visible":
            continue
        for prefix in ("", "/es"):
            response = client.get(f"{prefix}/embed/{hidden.pk}/")
            assert response.status_code == (410 if state == "withdrawn" else 404), state
            assert hidden.title not in response.content.decode()
            assert hidden.body.split()[0] not in response.content.decode()


def test_a_withdrawn_story_s_card_says_so_inside_the_frame(client, every_state_archive):
    withdrawn = every_state_archive["withdrawn"]
    response = client.get(f"/embed/{withdrawn.pk}/")
    assert response.status_code == 410
    assert "This story has been withdrawn" in response.content.decode()
    assert "frame-ancestors *" in response["Content-Security-Policy"]


def test_a_pending_story_has_no_card(client):
    pending = make_story(title="Waiting for review")
    assert client.get(f"/embed/{pending.pk}/").status_code == 404
    assert ask(client, f"{SITE}/embed/{pending.pk}/").status_code == 404
