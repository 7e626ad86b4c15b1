"""A story's licence and persistent identifier, the same on every road: the story's page and its
JSON-LD, the API record, the JSON and CSV exports, the RSS and Atom feeds, Dublin Core, the
OAI-PMH record and the IIIF manifest; and the resolver, /s/<id>/, once the story is withdrawn."""

import csv
import io
import json
import re

import feedparser
import pytest
from lxml import etree

from stories.models import Licence
from stories.opendata.oai import oai_identifier
from tests.factories import give_recording, make_published

pytestmark = pytest.mark.django_db

CC = "https://creativecommons.org/licenses/by-nc-nd/4.0/"
RESERVED = "http://rightsstatements.org/vocab/InC/1.0/"
NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def body(response):
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def stories():
    """An open story with a DOI, a reserved one with an ARK, and a reserved one with neither."""
    return {
        "open": make_published(
            title="Zqopen story",
            licence=Licence.objects.get(code="cc-by-nc-nd-4.0"),
            persistent_identifier="https://doi.org/10.5072/perspectives.900",
        ),
        "reserved": make_published(
            title="Zqreserved story", persistent_identifier="ark:99999/fk4zq901"
        ),
        "plain": make_published(title="Zqplain story"),
    }


@pytest.fixture
def heard(stories):
    """The open and the reserved story heard too, so each has a IIIF manifest."""
    for story in (stories["open"], stories["reserved"]):
        give_recording(story, cleared=True, transcript=[(0, "Heard words")])
    return stories


def oai_record(client, pk):
    """The story's OAI-PMH record in Dublin Core, parsed."""
    query = {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": oai_identifier(pk)}
    return etree.fromstring(body(client.get("/oai/", query)))


def licences_on_every_road(client, story):
    """The licence of ``story`` as each road states it: {road: (url, short name or name)}."""
    pk = story.pk
    api = client.get(f"/api/v1/stories/{pk}/").json()
    listed = next(s for s in client.get("/api/v1/stories/").json()["results"] if s["id"] == pk)
    exported = next(
        r for r in json.loads(body(client.get("/export/stories.json"))) if r["id"] == pk
    )
    text = body(client.get("/export/stories.csv")).decode("utf-8-sig")
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["id"] == str(pk))
    rss = next(
        e for e in feedparser.parse(body(client.get("/feeds/stories.rss"))).entries
        if e.id.endswith(f"/s/{pk}/")
    )  # fmt: skip
    atom = next(
        e for e in feedparser.parse(body(client.get("/feeds/stories.atom"))).entries
        if e.id.endswith(f"/s/{pk}/")
    )  # fmt: skip
    oai = oai_record(client, pk)
    oai_rights = [node.text for node in oai.iterfind(".//dc:rights", NS)]
    page = client.get(story.get_absolute_url()).content.decode()
    (on_the_page,) = re.findall(r'<a rel="license" href="([^"]+)">([^<]+)</a>', page)
    (json_ld,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    manifest = client.get(f"/iiif/{pk}/manifest.json").json()
    atom_licence = [link.href for link in atom.links if link.rel == "license"]
    return {
        "story page": on_the_page,
        "json-ld": (json.loads(json_ld)["license"], None),
        "iiif": (manifest["rights"], None),
        "api": (api["licence"]["url"], api["licence"]["short_name"]),
        "api list": (listed["licence"]["url"], listed["licence"]["short_name"]),
        "api dublin core": tuple(api["dublin_core"]["rights"]),
        "json export": (exported["licence_url"], exported["licence_name"]),
        "csv export": (row["licence_url"], row["licence_name"]),
        # "CC BY-NC-ND 4.0 (https://…)": the name, then the address.
        "rss": tuple(reversed(rss.rights.removesuffix(")").split(" (", 1))),
        "atom": tuple(reversed(atom.rights.removesuffix(")").split(" (", 1))),
        "atom link": (atom_licence[0], None),
        "oai": tuple(oai_rights),
    }


def test_a_story_states_the_same_licence_on_every_road(client, heard):
    for story, url, short_name, name, republish in (
        (heard["open"], CC, "CC BY-NC-ND 4.0", heard["open"].licence.name, True),
        (heard["reserved"], RESERVED, "All rights reserved", heard["reserved"].licence.name,
         False),
    ):  # fmt: skip
        roads = licences_on_every_road(client, story)
        for address_only in ("atom link", "json-ld", "iiif"):
            assert roads.pop(address_only) == (url, None), address_only
        assert roads.pop("api dublin core") == roads.pop("oai") == (url, name)
        assert set(roads.values()) == {(url, short_name)}, roads
        api = client.get(f"/api/v1/stories/{story.pk}/").json()
        assert api["licence"] == {
            "code": story.licence.code,
            "name": name,
            "short_name": short_name,
            "url": url,
            "allows_republishing": republish,
        }


def test_feeds_give_a_creative_commons_licence_where_readers_look_for_one(client, stories):
    rss = {e.title: e for e in feedparser.parse(body(client.get("/feeds/stories.rss"))).entries}
    assert rss["Zqopen story"].license == CC
    # The Creative Commons module names Creative Commons licences only.
    assert "license" not in rss["Zqreserved story"]
    assert rss["Zqreserved story"].rights == f"All rights reserved ({RESERVED})"
    atom = {e.title: e for e in feedparser.parse(body(client.get("/feeds/stories.atom"))).entries}
    assert atom["Zqopen story"].rights == f"CC BY-NC-ND 4.0 ({CC})"


def test_the_export_says_where_to_ask_to_republish(client, stories):
    rows = {r["title"]: r for r in json.loads(body(client.get("/export/stories.json")))}
    assert "Ask the archive before republishing a story" not in json.dumps(rows)
    assert rows["Zqreserved story"]["rights"] == (
        f"All rights reserved ({RESERVED}). Ask the archive before republishing the story: "
        "http://testserver/data/#ask-to-republish"
    )
    assert rows["Zqopen story"]["allows_republishing"] is True
    assert rows["Zqopen story"]["rights"].startswith(f"CC BY-NC-ND 4.0 ({CC}). To do more")
    index = client.get("/export/").json()
    assert index["republish"] == "http://testserver/data/#ask-to-republish"
    text = body(client.get("/export/stories.csv")).decode("utf-8-sig")
    csv_rows = {r["title"]: r for r in csv.DictReader(io.StringIO(text))}
    assert csv_rows["Zqopen story"]["allows_republishing"] == "true"
    assert csv_rows["Zqreserved story"]["allows_republishing"] == "false"


def test_the_persistent_identifier_is_the_same_on_every_road(client, stories):
    for key, identifier, url in (
        ("open", "doi:10.5072/perspectives.900", "https://doi.org/10.5072/perspectives.900"),
        ("reserved", "ark:/99999/fk4zq901", "https://n2t.net/ark:/99999/fk4zq901"),
        ("plain", None, None),
    ):
        pk = stories[key].pk
        api = client.get(f"/api/v1/stories/{pk}/").json()
        assert (api["persistent_identifier"], api["persistent_url"]) == (identifier, url)
        exported = next(
            r for r in json.loads(body(client.get("/export/stories.json"))) if r["id"] == pk
        )
        assert (exported["persistent_identifier"], exported["persistent_url"]) == (identifier, url)
        text = body(client.get("/export/stories.csv")).decode("utf-8-sig")
        row = next(r for r in csv.DictReader(io.StringIO(text)) if r["id"] == str(pk))
        assert (row["persistent_identifier"], row["persistent_url"]) == (
            identifier or "",
            url or "",
        )
        permalink = f"http://testserver/s/{pk}/"
        assert api["dublin_core"]["identifier"] == [permalink, *([url] if url else [])]
        oai = oai_record(client, pk)
        assert [n.text for n in oai.iterfind(".//dc:identifier", NS)] == [
            permalink,
            *([url] if url else []),
        ]


def test_citations_carry_the_persistent_identifier_where_each_style_puts_one(client, stories):
    doi = "https://doi.org/10.5072/perspectives.900"
    open_story = client.get(f"/api/v1/stories/{stories['open'].pk}/").json()
    permalink = f"http://testserver/s/{stories['open'].pk}/"
    for style in ("Chicago", "APA", "MLA"):
        text = open_story["citations"][style]
        assert doi in text and permalink in text, style
        assert text.index(doi) < text.index(permalink), style
    bib = body(client.get(f"/s/{stories['open'].pk}/cite.bib")).decode()
    assert "  doi = {10.5072/perspectives.900}" in bib
    ris = body(client.get(f"/s/{stories['open'].pk}/cite.ris")).decode().split("\r\n")
    assert "DO  - 10.5072/perspectives.900" in ris
    assert f"UR  - {permalink}" in ris
    assert f"CR  - CC BY-NC-ND 4.0 ({CC})" in ris

    ark = "https://n2t.net/ark:/99999/fk4zq901"
    reserved = client.get(f"/api/v1/stories/{stories['reserved'].pk}/").json()
    assert all(ark in text for text in reserved["citations"].values())
    ris = body(client.get(f"/s/{stories['reserved'].pk}/cite.ris")).decode().split("\r\n")
    assert f"UR  - {ark}" in ris and not any(line.startswith("DO  -") for line in ris)
    bib = body(client.get(f"/s/{stories['reserved'].pk}/cite.bib")).decode()
    assert "doi =" not in bib and f"  eprint = {{{ark}}}" in bib

    plain = client.get(f"/api/v1/stories/{stories['plain'].pk}/").json()
    assert plain["citations"]["APA"].endswith(f"/s/{stories['plain'].pk}/")
    bib = body(client.get(f"/s/{stories['plain'].pk}/cite.bib")).decode()
    assert "doi =" not in bib and "eprint" not in bib


# --- The resolver, after withdrawal ---

ROADS = (
    "/api/v1/stories/",
    "/export/stories.json",
    "/export/stories.csv",
    "/feeds/stories.rss",
    "/feeds/stories.atom",
    "/sitemap.xml",
    "/oai/?verb=ListRecords&metadataPrefix=oai_dc",
    "/oai/?verb=ListIdentifiers&metadataPrefix=oai_dc",
)


def test_a_withdrawn_storys_identifier_resolves_to_a_tombstone_that_does_not_repeat_it(
    client, stories
):
    story = stories["open"]
    slug, identifier = story.slug, story.persistent_identifier
    words = (identifier, identifier.removeprefix("doi:"), story.persistent_url)
    story.withdraw()
    gone = client.get(f"/s/{story.pk}/")
    assert gone.status_code == 410
    page = client.get(f"/stories/{slug}/")
    assert page.status_code == 410
    for response in (gone, page):
        assert not any(word in response.content.decode() for word in words)
    for road in (f"/api/v1/stories/{story.pk}/", f"/s/{story.pk}/cite.bib"):
        assert client.get(road).status_code == 404, road
    for road in ROADS:
        text = body(client.get(road)).decode("utf-8-sig")
        assert not any(word in text for word in words), road
    # The other stories keep theirs.
    assert "ark:/99999/fk4zq901" in body(client.get("/export/stories.json")).decode()
