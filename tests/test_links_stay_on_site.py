"""
Every link the site builds from the address asked for is a path on this site.

The language link repeats the address of the page it is on. An address that
starts with two slashes (or a slash and a backslash, which browsers read the
same way) names another host, and a link to it would take a reader off the
site from a page that looks like ours.
"""

import re

import pytest

from .readers import leaves_the_site

pytestmark = pytest.mark.django_db

# As they reach Django: a server decodes %2F before Django sees the path.
HOSTILE_PATHS = [
    "//evil.example/stories/",
    "//evil.example/",
    "/\\evil.example/stories/",
    "/\\/evil.example/stories/",
    "///evil.example/stories/",
    "/%2F%2Fevil.example/stories/",
    "//evil.example/es/stories/",
    "//http://evil.example/stories/",
    "//evil.example/stories/?page=2",
]

ATTRIBUTES = re.compile(r'\b(?:href|src|action)="([^"]*)"')


def test_leaves_the_site_knows_an_off_site_link():
    assert leaves_the_site("//evil.example/es/stories/")
    assert leaves_the_site("/\\evil.example/")
    assert leaves_the_site("https://evil.example/")
    assert not leaves_the_site("/es/stories/?page=2")
    assert not leaves_the_site("http://testserver/feeds/stories.rss")


@pytest.mark.parametrize("prefix", ["", "/es"])
@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_no_link_leaves_the_site_whatever_address_was_asked_for(client, prefix, path):
    address, _, query = (prefix + path).partition("?")
    response = client.get("/", PATH_INFO=address, QUERY_STRING=query)
    html = response.content.decode()
    links = ATTRIBUTES.findall(html)
    assert links, "no links on the page"
    assert not [link for link in links if leaves_the_site(link)]
    other_language = "/" if prefix else "/es/"
    assert f'href="{other_language}" hreflang=' in html  # the other language's home page


def test_the_language_link_still_keeps_the_page_and_its_query(client):
    html = client.get("/stories/?language=es&page=1").content.decode()
    assert 'href="/es/stories/?language=es&amp;page=1" hreflang="es"' in html
    html = client.get("/es/themes/").content.decode()
    assert 'href="/themes/" hreflang="en"' in html
