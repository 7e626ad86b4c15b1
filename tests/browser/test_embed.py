"""
oEmbed in a browser: a page of another site pastes the iframe /oembed hands out, and the card
renders inside it; the same page framing any other page of the archive is refused.

The archive is the live server at http://localhost:<port>; the other site is a small server
at http://127.0.0.1:<another port>: another origin, on this machine (Chromium keeps a page at
a public address from framing one on this machine at all: Private Network Access).
"""

import http.server
import json
import threading
import urllib.parse
import urllib.request

import pytest

from stories.models import Story

from .helpers import assert_no_violations


class OtherSite(http.server.BaseHTTPRequestHandler):
    """Another site: one page, holding whatever HTML the test gives it."""

    body = b""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def other_site():
    """``show(html)``: the address of a page of another origin holding ``html``."""
    handler = type("Page", (OtherSite,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def show(html):
        handler.body = (
            "<!DOCTYPE html><html lang='en'><title>A teacher's page</title>"
            f"<h1>Our class reads</h1>{html}</html>"
        ).encode()
        return f"http://127.0.0.1:{server.server_port}/"

    yield show
    server.shutdown()
    server.server_close()


def card_of(site, address, **sizes):
    query = urllib.parse.urlencode({"url": site + address, "format": "json", **sizes})
    with urllib.request.urlopen(f"{site}/oembed?{query}") as answer:
        return json.load(answer)


def heard_story():
    """A sample story readers may hear, with a quote."""
    return next(
        story
        for story in Story.objects.published().select_related("recording").exclude(quote="")
        if story.public_recording
    )


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_the_card_renders_in_an_iframe_on_another_site(page, site, other_site, prefix):
    story = heard_story()
    card = card_of(site, f"{prefix}/s/{story.pk}/" if not prefix else f"/es/embed/{story.pk}/")
    assert card["html"].startswith(f'<iframe src="{site}{prefix}/embed/{story.pk}/"')
    page.goto(other_site(card["html"]))
    assert page.url.startswith("http://127.0.0.1:") and not site.startswith("http://127.0.0.1")
    frame = page.frame_locator("iframe")
    heading = frame.get_by_role("heading", level=1)
    heading.wait_for()
    assert heading.inner_text() == story.title
    assert story.quote in frame.locator("blockquote").inner_text()
    read = frame.get_by_role("link", name="Read the whole story on Perspectives")
    if prefix:
        read = frame.get_by_role("link", name="Leer la historia completa en Perspectivas")
    assert read.get_attribute("target") == "_blank"
    assert frame.locator("a[rel~=license]").inner_text() == story.licence.short_name_in(
        prefix.strip("/") or "en"
    )
    # The player, loaded from the archive inside the frame.
    player = frame.locator("audio")
    assert player.count() == 1
    duration = player.evaluate(
        "audio => new Promise(done => { if (audio.readyState >= 1) done(audio.duration);"
        " audio.addEventListener('loadedmetadata', () => done(audio.duration));"
        " audio.load(); })"
    )
    assert duration > 0
    # The iframe is as tall and wide as the answer says.
    box = page.locator("iframe").bounding_box()
    assert (round(box["width"]), round(box["height"])) == (card["width"], card["height"])


def test_a_card_without_a_recording_has_no_player(page, site, other_site):
    story = Story.objects.published().filter(recording=None).first()
    page.goto(other_site(card_of(site, story.get_absolute_url(), maxwidth=400)["html"]))
    frame = page.frame_locator("iframe")
    frame.get_by_role("heading", name=story.title).wait_for()
    assert frame.locator("audio").count() == 0


@pytest.mark.parametrize("address", ["story", "/", "/es/stories/", "/data/", "/oembed"])
def test_every_other_page_refuses_to_be_framed(page, site, other_site, address):
    story = heard_story()
    path = {"story": story.get_absolute_url(), "/oembed": f"/oembed?url={site}/s/{story.pk}/"}
    src = site + path.get(address, address)
    refusals = []
    page.on(
        "console",
        lambda message: "frame-ancestors" in message.text and refusals.append(message.text),
    )
    page.goto(other_site(f'<iframe src="{src}" title="Framed" width="600" height="400"></iframe>'))
    page.wait_for_load_state("load")
    (framed,) = [frame for frame in page.frames if frame != page.main_frame]
    # Chromium shows its own error page in the frame, never the archive's page.
    assert framed.url != src
    assert refusals, f"{address} was framed"
    assert "Perspectives" not in framed.content()


def test_the_embed_page_is_accessible_alone_and_framed(page, site, other_site, save_screenshot):
    story = heard_story()
    for prefix in ("", "/es"):
        page.goto(f"{site}{prefix}/embed/{story.pk}/")
        assert_no_violations(page, f"{prefix}/embed/")
        save_screenshot(f"embed{prefix.replace('/', '-')}")
    refused = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and refused.append(message.text),
    )
    page.goto(other_site(card_of(site, f"/s/{story.pk}/")["html"]))
    page.frame_locator("iframe").get_by_role("heading", level=1).wait_for()
    assert refused == []
