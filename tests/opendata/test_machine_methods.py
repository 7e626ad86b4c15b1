"""
Every road for machines answers every HTTP method the same way (docs/api.md, "Methods and
other sites"): what it serves, OPTIONS as a CORS preflight, anything else 405 with Allow and
an error in the road's own format; never CSRF's 403 page. Requests go through a client that
checks CSRF as a real one meets it: Django's test client skips the check unless told.
"""

import pytest
from django.test import Client

from ..factories import give_recording, make_published

pytestmark = pytest.mark.django_db

ANOTHER_SITE = "https://research.example.edu"
READ_ONLY = "GET, HEAD, OPTIONS"


@pytest.fixture
def other_site():
    """A client that checks CSRF, asking from another site's page."""
    return Client(enforce_csrf_checks=True, headers={"Origin": ANOTHER_SITE})


@pytest.fixture
def story(db):
    story = make_published(title="Police at the clinic", themes=["legal-aid"])
    give_recording(story, cleared=True, transcript=[(0.0, "Hello.")])
    return story


# (address, the methods it allows, whether its errors are JSON, whether other sites may read it)
ROADS = [
    ("/api/v1/", READ_ONLY, True, True),
    ("/api/v1/stories/", READ_ONLY, True, True),
    ("/api/v1/stories/{id}/", READ_ONLY, True, True),
    ("/api/v1/perspectives/", READ_ONLY, True, True),
    ("/api/v1/themes/", READ_ONLY, True, True),
    ("/api/v1/openapi.json", READ_ONLY, True, True),
    ("/api/v1/no-such-endpoint", READ_ONLY, True, True),
    ("/export/", READ_ONLY, True, True),
    ("/export/stories.json", READ_ONLY, True, True),
    ("/export/stories.csv", READ_ONLY, False, True),
    ("/feeds/stories.rss", READ_ONLY, False, True),
    ("/feeds/themes/legal-aid.atom", READ_ONLY, False, True),
    ("/sitemap.xml", READ_ONLY, False, True),
    ("/sitemap-stories.xml", READ_ONLY, False, True),
    ("/s/{id}/cite.bib", READ_ONLY, False, True),
    ("/oai/", "GET, HEAD, POST, OPTIONS", False, True),
    ("/iiif/{id}/manifest.json", READ_ONLY, True, True),
    ("/iiif/collection.json", READ_ONLY, True, True),
    ("/iiif/themes/legal-aid/collection.json", READ_ONLY, True, True),
    ("/iiif/perspectives/immigrants/collection.json", READ_ONLY, True, True),
    # A road into the pages for people, and the guarded recordings: for browsers, not scripts.
    ("/s/{id}/", READ_ONLY, False, False),
    ("/recordings/{id}/", READ_ONLY, False, False),
    ("/recordings/{id}/captions.vtt", READ_ONLY, False, False),
    ("/recordings/{id}/chapters.vtt", READ_ONLY, False, False),
    ("/recordings/{id}/captions.translation.vtt", READ_ONLY, False, False),
    ("/transcripts/{id}.translation.txt", READ_ONLY, False, False),
]


@pytest.mark.parametrize(
    ("address", "allowed", "json_errors", "cross_origin", "method"),
    [
        (*road, method)
        for road in ROADS
        for method in ("POST", "PUT", "PATCH", "DELETE", "TRACE", "BREW")
        if method not in road[1]
    ],
)
def test_a_method_a_road_does_not_serve_gets_405_with_allow(
    other_site, story, address, allowed, json_errors, cross_origin, method
):
    response = other_site.generic(method, address.format(id=story.pk), data="{}")
    assert response.status_code == 405, response.content[:300]
    assert response["Allow"] == allowed
    assert b"CSRF" not in response.content
    if json_errors:
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"]["status"] == 405
        assert allowed in response.json()["error"]["message"]
    else:
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert allowed.encode() in response.content
    assert response.has_header("Access-Control-Allow-Origin") == cross_origin


@pytest.mark.parametrize(("address", "allowed", "json_errors", "cross_origin"), ROADS)
def test_options_answers_the_preflight_of_a_conditional_request(
    other_site, story, address, allowed, json_errors, cross_origin
):
    response = other_site.options(
        address.format(id=story.pk),
        headers={
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert response.status_code == 204 and response.content == b""
    assert response["Allow"] == allowed
    if cross_origin:
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response["Access-Control-Allow-Methods"] == allowed
        allowed_headers = response["Access-Control-Allow-Headers"].lower().split(", ")
        assert {"if-none-match", "if-modified-since"} <= set(allowed_headers)
        assert int(response["Access-Control-Max-Age"]) >= 600
    else:
        assert not response.has_header("Access-Control-Allow-Origin")
        assert not response.has_header("Access-Control-Allow-Methods")


@pytest.mark.parametrize("cache", [False, True])
@pytest.mark.parametrize(
    "address",
    [
        "/api/v1/stories/",
        "/api/v1/openapi.json",
        "/export/",
        "/feeds/stories.atom",
        "/oai/",
        "/iiif/collection.json",
    ],
)
def test_another_site_reads_an_answer_and_its_304(other_site, story, settings, address, cache):
    if cache:
        settings.PAGE_CACHE_SECONDS = settings.COUNTS_CACHE_SECONDS = 60
    query = {"verb": "Identify"} if address == "/oai/" else {}
    first = other_site.get(address, query)
    assert first.status_code == 200
    assert first["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in first["Access-Control-Expose-Headers"].split(", ")
    if address != "/oai/":  # an OAI answer carries its responseDate: no two are the same
        again = other_site.get(address, headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 304
        # Without it the other_site hides the 304 from the script, as a network error.
        assert again["Access-Control-Allow-Origin"] == "*"


def test_the_api_still_answers_head_and_oai_still_answers_post(other_site, story):
    assert other_site.head("/api/v1/stories/").status_code == 200
    harvested = other_site.post("/oai/", {"verb": "Identify"})
    assert harvested.status_code == 200 and b"<Identify>" in harvested.content


def test_pages_for_people_are_not_open_to_other_sites_scripts(other_site, story):
    assert not other_site.get("/stories/").has_header("Access-Control-Allow-Origin")
    assert not other_site.get(f"/stories/{story.slug}/").has_header("Access-Control-Allow-Origin")
