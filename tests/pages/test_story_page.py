"""The story page: what sits under the title, the order of what follows, sharing, link
previews, the transcript downloads, and Listen and Read as two views of one story."""

import re
from html import unescape
from urllib.parse import quote

import pytest
from django.utils import timezone

from stories.models import Recording

from ..factories import give_recording, make_published, make_story

pytestmark = pytest.mark.django_db

HOSTILE_TITLE = '"><script>alert(1)</script>'
SPOKEN = ["When the city said it would not ask about papers,", "my mother went to the clinic."]
SAID = " ".join(SPOKEN)


def page(client, story, prefix=""):
    response = client.get(prefix + story.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def meta(html, key):
    """The content of the <meta> tag named (or with the property) ``key``."""
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    assert found, key
    return unescape(found.group(1))


def told_aloud(body=SAID, **fields):
    """A published story with a cleared recording whose transcript is ``SPOKEN``."""
    story = make_published(body=body, **fields)
    give_recording(story, cleared=True, transcript=[(0, SPOKEN[0]), (4.5, SPOKEN[1])])
    return story


def test_under_the_title_who_where_when_and_how_long(client):
    story = make_published(
        narrator_name="Rosa", place="Pacoima", year_happened=2017, body="word " * 1190
    )
    html = page(client, story)
    header = html[html.index("<h1>") : html.index("</header>", html.index("<h1>"))]
    assert "Rosa" in header and "Pacoima" in header and "Happened in 2017" in header
    assert f'<time datetime="{timezone.localtime(story.published_at).isoformat()}">' in header
    assert "6 min read" in header  # 1,190 words at 200 a minute
    assert "Listen:" not in header
    assert "About this story" not in html  # all of it is under the title now
    spanish = page(client, story, "/es")
    assert "Sucedió en 2017" in spanish and "6 min de lectura" in spanish


def test_reading_time_is_at_least_a_minute_and_none_without_words():
    assert make_story(body="A few words.").reading_minutes == 1
    assert make_story(body="word " * 700).reading_minutes == 4  # 3.5 rounds to even
    assert make_story(body="word " * 701).reading_minutes == 4
    assert make_story(body="").reading_minutes == 0


def test_listening_time_comes_from_the_recording(client):
    story = told_aloud()
    Recording.objects.filter(story=story).update(duration=241.0)
    html = page(client, story)
    header = html[html.index("<h1>") : html.index("</header>", html.index("<h1>"))]
    assert '<a href="#listen">Listen: 4 min</a>' in header
    assert 'id="listen"' in html
    assert "Escuchar: 4 min" in page(client, story, "/es")


def test_citations_fold_after_other_perspectives_and_the_themes_lead_on(client):
    story = make_published(themes=["public-safety"], perspective="immigrants")
    other = make_published(themes=["public-safety"], perspective="critics", title="Zqother")
    html = page(client, story)
    others = html.index('id="others-heading"')
    assert html.index("The same theme from another side") == html.index(">", others) + 1
    assert html.index("Zqother") > others
    # The themes lead on from the story's details, beside the text (after it on a phone).
    details = html.index('id="details-heading"')
    assert html.index("</article>") < details < html.index('id="share-heading"') < others
    assert '<a href="/themes/public-safety/">' in html[details:others]
    cite = html.index('<details class="cite"')
    assert cite > html.index(other.get_absolute_url())
    assert "<summary>Cite this story</summary>" in html
    assert html.index('<dd class="citation"') > cite
    assert "<details" not in html[: html.index('id="others-heading"')]


def test_share_links_are_plain_links_with_the_permalink_encoded(client):
    story = make_published(title="Rosa & the bus")
    html = page(client, story)
    permalink = f"http://testserver/s/{story.pk}/"
    encoded = quote(permalink, safe="")
    share = html[
        html.index('id="share-heading"') : html.index(
            "</section>", html.index('id="share-heading"')
        )
    ]
    links = [unescape(link) for link in re.findall(r'href="([^"]*)"', share)]
    assert links[0] == permalink
    assert f"mailto:?subject=Rosa%20%26%20the%20bus&body={encoded}" in links
    assert f"https://wa.me/?text=Rosa%20%26%20the%20bus%20{encoded}" in links
    assert f"https://bsky.app/intent/compose?text=Rosa%20%26%20the%20bus%20{encoded}" in links
    assert f"https://x.com/intent/post?text=Rosa%20%26%20the%20bus&url={encoded}" in links
    assert 'data-copy="story-permalink"' in share
    # Nothing is loaded from elsewhere: every script and stylesheet is our own. (The oEmbed
    # discovery link is absolute, on this site, as consumers read it: docs/reuse.md.)
    sources = re.findall(r'<(?:script|link|img|iframe)[^>]*(?:src|href)="([^"]*)"', html)
    assert sources and all(source.startswith(("/", "http://testserver/")) for source in sources)


def test_link_previews_name_the_story_with_absolute_addresses(client):
    story = make_published(title="The clinic", summary="Rosa went at last.", perspective="critics")
    html = page(client, story)
    assert meta(html, "og:title") == "The clinic"
    assert meta(html, "og:description") == "Rosa went at last."
    assert meta(html, "og:url") == f"http://testserver/s/{story.pk}/"
    assert meta(html, "og:type") == "article"
    assert meta(html, "og:locale") == "en_US"
    assert meta(html, "og:image") == "http://testserver/static/img/social/perspective-critics.png"
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "twitter:image") == meta(html, "og:image")
    assert html.count('property="og:title"') == 1  # the story's, not the site's as well
    spanish = make_published(title="La clínica", language="es")
    assert meta(page(client, spanish, "/es"), "og:locale") == "es_MX"


def test_a_hostile_title_stays_text_in_the_previews(client):
    html = page(client, make_published(title=HOSTILE_TITLE, summary=HOSTILE_TITLE))
    assert "<script>alert(1)" not in html
    assert meta(html, "og:title") == HOSTILE_TITLE
    assert meta(html, "og:description") == HOSTILE_TITLE


def test_other_pages_have_the_site_preview(client):
    html = client.get("/themes/").content.decode()
    assert meta(html, "og:type") == "website"
    assert meta(html, "og:url") == "http://testserver/themes/"
    assert meta(html, "og:image") == "http://testserver/static/img/social/site.png"
    assert meta(client.get("/es/").content.decode(), "og:locale") == "es_MX"


def test_the_transcript_downloads_as_text_and_webvtt(client):
    story = told_aloud()
    text = client.get(f"/transcripts/{story.pk}.txt")
    assert text.status_code == 200
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert text["Content-Disposition"] == f'attachment; filename="story-{story.pk}-transcript.txt"'
    assert text.content.decode() == f"[0:00]\n{SPOKEN[0]}\n\n[0:04]\n{SPOKEN[1]}\n"
    webvtt = client.get(f"/transcripts/{story.pk}.vtt")
    assert webvtt.status_code == 200
    assert webvtt["Content-Type"] == "text/vtt; charset=utf-8"
    assert webvtt["Content-Disposition"].startswith("attachment;")
    assert webvtt.content.decode().startswith("WEBVTT\n\n00:00:00.000 --> 00:00:04.500\n")
    assert webvtt["Cache-Control"] == "no-store"
    html = page(client, story)
    assert f'href="/transcripts/{story.pk}.txt" download' in html
    assert f'href="/transcripts/{story.pk}.vtt" download' in html


@pytest.mark.parametrize("state", ["pending", "not cleared", "no transcript", "withdrawn"])
def test_the_transcript_downloads_are_not_found_for_a_hidden_story(client, state):
    story = (make_story if state == "pending" else make_published)()
    give_recording(
        story,
        cleared=state != "not cleared",
        transcript=[] if state == "no transcript" else [(0, "Zqhidden words")],
    )
    if state == "withdrawn":
        story.withdraw()
    for extension in ("txt", "vtt"):
        assert client.get(f"/transcripts/{story.pk}.{extension}").status_code == 404


def test_listen_and_read_are_two_views_when_the_story_is_its_transcript(client):
    # Cut into other paragraphs, other spacing and case: the same words.
    story = told_aloud(body=SPOKEN[0].upper() + "\n\n  " + SPOKEN[1])
    html = page(client, story)
    assert "data-story-views" in html
    assert '<a href="#listen" data-view-of="listen">Listen</a>' in html
    assert '<a href="#read" data-view-of="read">Read</a>' in html
    assert html.index('id="listen"') < html.index('id="read"')
    # A plain <div> may not carry a name: listen.js names it once it is a tablist.
    assert 'data-tablist-label="Listen or read"' in html
    assert 'aria-label="Listen or read"' not in html
    assert "Escuchar</a>" in page(client, story, "/es")
    # Under the Listen link its heading is for screen readers from the first paint: hidden only
    # by listen.js, it moved the player up as the page loaded.
    assert 'id="recording-heading" class="view-heading visually-hidden"' in html


def test_a_different_written_story_is_not_offered_as_a_view(client):
    html = page(client, told_aloud(body="Something else was written down."))
    assert "data-story-views" not in html
    assert 'id="recording-heading" class="view-heading">' in html
    assert 'id="listen"' in html and 'id="read"' in html


def test_a_voice_kept_private_gives_no_views_and_no_player(client):
    story = told_aloud()
    story.keep_voice_private()
    html = page(client, story)
    assert "data-story-views" not in html and "<audio" not in html and "mini-player" not in html
    assert "listen.js" not in html
    assert f'href="/transcripts/{story.pk}.txt" download' in html


def test_the_listening_script_comes_only_with_a_recording(client):
    assert "js/listen.js" not in page(client, make_published())
    html = page(client, told_aloud())
    assert '<script src="/static/js/listen.js" defer></script>' in html
    assert "data-mini-player hidden" in html and "data-transcript-tools hidden" in html


def test_perspective_and_theme_pages_preview_with_their_own_picture(client):
    html = client.get("/es/themes/public-safety/").content.decode()
    assert meta(html, "og:title") == "Seguridad pública"
    assert meta(html, "og:image") == "http://testserver/static/img/social/theme-public-safety.png"
    html = client.get("/perspectives/critics/").content.decode()
    assert meta(html, "og:title") == "Critics"
    assert meta(html, "og:image") == "http://testserver/static/img/social/perspective-critics.png"


def test_the_details_beside_the_story_name_its_perspective_place_year_and_language(client):
    story = make_published(
        themes=["public-safety"], perspective="immigrants", place="Westlake", year_happened=2017
    )
    html = page(client, story, "/es")
    start = html.index('<aside class="story-aside"')
    aside = html[start : html.index("</aside>", start)]
    assert 'aria-labelledby="details-heading"' in aside
    for label, value in (
        ("Perspectiva", "Inmigrantes"),
        ("Lugar", "Westlake"),
        ("Año en que sucedió", "2017"),
        ("Idioma", "Inglés"),
    ):
        assert f"<dt>{label}</dt>" in aside
        assert value in aside[aside.index(f"<dt>{label}</dt>") :]
    assert 'href="/es/themes/public-safety/"' in aside
    assert 'id="share-heading"' in aside and 'class="reuse-terms"' in aside
