"""
Readers shared by the test modules: what a page, an OAI-PMH answer or a row
holds that a test looks for (query counts, withdrawal links, off-site links,
the values no public road may show).
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree

from stories.models import Story, hash_withdrawal_token
from stories.safety import privacy

from .factories import post_share, share_data


def queries_made(client, url):
    """How many queries answering ``url`` took (it must answer 200)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


def listed(response):
    """The stories a list page shows, in its order, each with its ``pk`` and ``title``: the
    cards of a list (stories/pages/story_cards.py), or the stories of a search's results."""
    context = response.context
    return list(context["cards"] if "cards" in context else context["stories"])


def listed_titles(response):
    return [story.title for story in listed(response)]


def secret_values(model, rows):
    """What ``rows`` of ``model`` hold that no public road may show, as the privacy table says:
    every secret field's value, and a name its narrator asked to keep anonymous."""
    for row in rows:
        for name in privacy.secret_fields(model):
            if getattr(row, name):
                yield getattr(row, name)
        if getattr(row, "is_anonymous", False):
            for name in names_kept_anonymous(model):
                if getattr(row, name):
                    yield getattr(row, name)


def names_kept_anonymous(model):
    return privacy.named(model, lambda field: field.visibility == privacy.PUBLIC_UNLESS_ANONYMOUS)


NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).parent / "data" / "oai" / "OAI-PMH.xsd")))
PREFIX = "oai:perspectives.example.org:story/"


def harvest(client, **arguments):
    """The answer as an lxml tree, checked against the OAI-PMH schema."""
    response = client.get("/oai/", arguments)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    tree = etree.fromstring(response.content)
    SCHEMA.assertValid(tree)
    return tree


LINK = re.compile(r"https?://[^\s\"<]+/(?:my-story|withdraw)/([\w-]{20,})/")


def withdrawal_link_on(response):
    """The narrator's private link on a page (the thank-you page), and its token."""
    match = LINK.search(response.content.decode())
    assert match, "no private link on the page"
    return match.group(0), match.group(1)


# The narrator's journey after sending: the private link, its page, its forms.


def submitted_with_link(client, **overrides):
    """Send a story through the share form; the story, and the token of its private link."""
    response = post_share(client, share_data(**overrides), follow=True)
    _link, token = withdrawal_link_on(response)
    return Story.objects.get(withdrawal_token_hash=hash_withdrawal_token(token)), token


def open_link(client, token, prefix=""):
    """What the narrator's browser does with the link: one GET, then wherever it is sent."""
    return client.get(f"{prefix}/my-story/{token}/", follow=True)


def open_confirmation(client, token, prefix=""):
    """Open the link, then the private page's "Withdraw my story": the confirmation page."""
    open_link(client, token, prefix)
    return client.get(f"{prefix}/my-story/withdraw/")


def post_form_on(client, page, **fields):
    """Press the button of the (one) POST form on ``page``, an earlier answer."""
    html = page.content.decode()
    form = re.search(r'<form method="post"[^>]*>(.*?)</form>', html, re.S)
    assert form, "no form on the page"
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form[1]))
    return client.post(page.request["PATH_INFO"], {**hidden, **fields}, follow=True)


def confirm_on(client, page):
    """Press the "Withdraw my story" button of ``page``, the confirmation page."""
    return post_form_on(client, page)


def leaves_the_site(address, host="testserver"):
    """Whether a browser would take ``address``, found on one of our pages, to another site."""
    address = address.replace("&amp;", "&").strip()
    as_read = address.replace("\\", "/")  # browsers read a backslash in an http URL as a slash
    parts = urlsplit(as_read)
    if parts.scheme and parts.scheme not in {"http", "https"}:
        return True
    return as_read.startswith("//") or (bool(parts.netloc) and parts.netloc != host)
