"""Schema.org JSON-LD on the pages for people: a story's Article, a perspective's and a
theme's CollectionPage (stories/pages/structured_data.py, docs/reuse.md).

Each page's data block is parsed from the rendered page and expanded with pyld, offline:
its document loader serves "https://schema.org" as a local context whose @vocab is
schema.org's. Every term of the expansion is then checked against schema.org's vocabulary
(tests/data/schemaorg-vocabulary.json, release 12.0: where it comes from is written in it),
each property against the types it is defined for.
"""

import json
import re
from pathlib import Path

import pytest
from django.utils import translation
from pyld import jsonld

from stories.models import Licence, Perspective, Story, Theme
from stories.templatetags.archive_tags import json_ld

from ..factories import give_recording, make_published, make_story

pytestmark = pytest.mark.django_db

SCHEMA = "https://schema.org/"
VOCABULARY = json.loads(
    (Path(__file__).parent.parent / "data" / "schemaorg-vocabulary.json").read_text()
)
HOSTILE_TITLE = "</script><script>alert(1)</script> & <!-- more"
SPOKEN = ["When the city said it would not ask about papers,", "my mother went to the clinic."]
DATA_BLOCK = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def offline_loader(url, options=None):
    """pyld's document loader without a network: schema.org's context, served locally."""
    if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": {"@context": {"@vocab": SCHEMA}},
        }
    raise jsonld.JsonLdError(f"No network in the tests: {url}", "loading document failed")


def data_on(client, url):
    """The one JSON-LD data block of the page at ``url``, parsed, and its text."""
    response = client.get(url)
    assert response.status_code == 200, url
    blocks = DATA_BLOCK.findall(response.content.decode())
    assert len(blocks) == 1, url
    return json.loads(blocks[0]), blocks[0]


def supertypes(name):
    """``name`` and every type above it in schema.org's hierarchy."""
    found = {name}
    for parent in VOCABULARY["types"][name]:
        found |= supertypes(parent)
    return found


def schema_name(iri):
    assert iri.startswith(SCHEMA), f"not a schema.org term: {iri}"
    return iri[len(SCHEMA) :]


def check_node(node):
    """Each type a schema.org type, each property a schema.org property defined for it."""
    types = [schema_name(iri) for iri in node.get("@type", [])]
    for name in types:
        assert name in VOCABULARY["types"], f"unknown type {name}"
    above = set().union(*(supertypes(name) for name in types)) if types else {"Thing"}
    for key, values in node.items():
        if key.startswith("@"):
            continue
        name = schema_name(key)
        assert name in VOCABULARY["properties"], f"unknown property {name}"
        assert above & set(VOCABULARY["properties"][name]), f"{name} is not a property of {types}"
        for value in values:
            if "@value" not in value:
                check_node(value)


def expanded(data):
    """``data`` expanded offline, every node checked against schema.org's vocabulary."""
    nodes = jsonld.expand(data, {"documentLoader": offline_loader})
    assert nodes, "nothing expanded"
    for node in nodes:
        check_node(node)
    return nodes


def told_aloud(**fields):
    """A published story with a cleared recording and a transcript of ``SPOKEN``."""
    story = make_published(**fields)
    give_recording(story, cleared=True, transcript=[(0, SPOKEN[0]), (4.5, SPOKEN[1])])
    return story


def test_a_story_page_gives_an_article_that_expands_to_schema_org_terms(client):
    story = told_aloud(
        title="The clinic on First Street",
        summary="My mother went to the clinic at last.",
        narrator_name="Rosa Martínez",
        narrator_descriptor="nurse, Boyle Heights",
        place="Boyle Heights",
        year_happened=2017,
        language="en",
        themes=["public-safety", "legal-aid"],
        title_translation="La clínica de la calle First",
        body_translation="Mi madre fue por fin a la clínica.",
    )
    Story.objects.filter(pk=story.pk).update(persistent_identifier="ark:/99999/fk4jsonld")
    data, _text = data_on(client, story.get_absolute_url())
    nodes = expanded(data)
    assert len(nodes) == 1 and nodes[0]["@type"] == [SCHEMA + "Article"]

    url = f"http://testserver{story.get_absolute_url()}"
    # What Google's Article rich result reads.
    assert data["headline"] == story.title and data["name"] == story.title
    assert data["datePublished"] == story.published_at.isoformat()
    assert data["dateModified"] >= data["datePublished"]
    assert data["author"] == {
        "@type": "Person",
        "name": "Rosa Martínez",
        "description": "nurse, Boyle Heights",
    }
    assert data["publisher"]["@type"] == "Organization" and data["publisher"]["name"]
    assert data["image"].startswith("http://testserver/static/img/social/")
    assert data["url"] == data["mainEntityOfPage"] == url

    assert data["description"] == story.summary
    assert data["inLanguage"] == "en" and data["genre"] == "Oral history"
    assert data["license"] == Story.objects.get(pk=story.pk).licence.url
    assert data["identifier"] == "https://n2t.net/ark:/99999/fk4jsonld"
    assert data["sameAs"] == [f"http://testserver/s/{story.pk}/", data["identifier"]]
    assert data["contentLocation"] == {"@type": "Place", "name": "Boyle Heights"}
    assert data["temporalCoverage"] == "2017"
    assert {"name": "Immigrants", "url": "http://testserver/perspectives/immigrants/"}.items() <= (
        data["isPartOf"][0].items()
    )
    assert [part["url"] for part in data["isPartOf"][1:]] == [
        f"http://testserver{theme.get_absolute_url()}"
        for theme in Theme.objects.filter(slug__in=["legal-aid", "public-safety"])
    ]
    audio = data["audio"]
    assert audio["@type"] == "AudioObject"
    assert audio["contentUrl"] == f"http://testserver/recordings/{story.pk}/"
    assert audio["encodingFormat"] == "audio/wav" and re.fullmatch(r"PT\d+S", audio["duration"])
    assert audio["transcript"] == "\n\n".join(SPOKEN)
    assert data["associatedMedia"]["contentUrl"] == f"http://testserver/transcripts/{story.pk}.txt"
    assert data["workTranslation"]["inLanguage"] == "es"
    assert data["workTranslation"]["name"] == "La clínica de la calle First"


def test_the_data_gives_the_licence_the_story_is_under_now(client):
    open_licence = Licence.objects.get(code="cc-by-nc-nd-4.0")
    reserved = Licence.objects.get(code="all-rights-reserved")
    story = make_published(licence=open_licence)
    assert data_on(client, story.get_absolute_url())[0]["license"] == open_licence.url
    story.restrict_licence(reserved)
    assert data_on(client, story.get_absolute_url())[0]["license"] == reserved.url


def test_a_hostile_title_stays_a_string_inside_the_data_block(client):
    story = make_published(title=HOSTILE_TITLE, narrator_name="<b>R & R</b>")
    data, text = data_on(client, story.get_absolute_url())
    assert data["name"] == HOSTILE_TITLE and data["author"]["name"] == "<b>R & R</b>"
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\\u003C/script\\u003E" in text


def test_the_tag_escapes_what_could_close_the_block():
    rendered = json_ld({"name": "</script><!--&"}, image="http://testserver/a.png")
    inside = rendered.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert not re.search("[<>&]", inside)
    assert json.loads(inside) == {"name": "</script><!--&", "image": "http://testserver/a.png"}


def test_an_anonymous_narrator_is_anonymous_and_no_private_field_appears(client):
    story = told_aloud(
        narrator_name="Guadalupe Secretname",
        is_anonymous=True,
        narrator_descriptor="mother of two",
        contact_email="private.narrator@example.org",
        moderator_notes="Moderator note never public",
        suggested_theme="A suggestion kept private",
    )
    for url in (story.get_absolute_url(), "/es" + story.get_absolute_url()):
        data, text = data_on(client, url)
        expanded(data)
        assert data["author"]["name"] in ("Anonymous", "Anónimo")
        for private in (
            "Secretname",
            "private.narrator",
            "Moderator note",
            "A suggestion kept private",
        ):
            assert private not in text


@pytest.mark.parametrize("state", ["voice kept private", "not cleared"])
def test_no_audio_object_for_a_recording_readers_may_not_hear(client, state):
    story = make_published()
    give_recording(story, cleared=state != "not cleared", transcript=[(0, SPOKEN[0])])
    if state == "voice kept private":
        story.keep_voice_private()
    data, text = data_on(client, story.get_absolute_url())
    expanded(data)
    assert "audio" not in data and "AudioObject" not in text
    assert "/recordings/" not in text
    if state == "voice kept private":
        # Its transcript is public, on its own road that names no recording.
        assert data["associatedMedia"]["contentUrl"].endswith(f"/transcripts/{story.pk}.txt")
    else:
        assert "associatedMedia" not in data and SPOKEN[0] not in text


def hidden_stories(moderator):
    """A pending, a rejected, a withdrawn, a returned and an embargoed story on public-safety,
    from the Immigrants."""
    rejected = make_story(title="Hidden rejected", themes=["public-safety"])
    rejected.reject(by=moderator, reason="spam")
    withdrawn = make_published(title="Hidden withdrawn", themes=["public-safety"])
    withdrawn.withdraw()
    returned = make_published(title="Hidden returned", themes=["public-safety"])
    returned.return_to_review(by=moderator)
    make_story(title="Hidden pending", themes=["public-safety"])
    embargoed = make_story(title="Hidden embargoed", themes=["public-safety"])
    Story.objects.filter(pk=embargoed.pk).update(
        status=Story.Status.APPROVED,
        slug="hidden-embargoed",
        published_at="2100-01-01T00:00:00Z",
    )


@pytest.mark.parametrize(
    "url",
    [
        "/themes/public-safety/",
        "/es/themes/public-safety/",
        "/perspectives/immigrants/",
        "/es/perspectives/immigrants/",
    ],
)
def test_collection_pages_list_only_published_stories_in_their_language(client, moderator, url):
    shown = told_aloud(title="Shown on the page", themes=["public-safety"])
    hidden_stories(moderator)
    data, text = data_on(client, url)
    nodes = expanded(data)
    assert nodes[0]["@type"] == [SCHEMA + "CollectionPage"]
    assert data["url"] == f"http://testserver{url}"
    spanish = url.startswith("/es/")
    assert data["inLanguage"] == ("es" if spanish else "en")
    collection = (Theme if "/themes/" in url else Perspective).objects.get(slug=url.split("/")[-2])
    with translation.override(data["inLanguage"]):
        assert data["name"] == collection.local_name
    assert data["hasPart"] == [
        {
            "@type": "Article",
            "name": "Shown on the page",
            "url": f"http://testserver{'/es' if spanish else ''}/stories/{shown.slug}/",
        }
    ]
    assert "Hidden" not in text


def test_a_theme_page_lists_each_of_its_stories_once(client):
    quoted = make_published(title="Quoted and listed", themes=["legal-aid"], featured=True)
    data, _text = data_on(client, "/themes/legal-aid/")
    assert [part["name"] for part in data["hasPart"]] == [quoted.title]


def test_pages_without_a_collection_or_a_story_carry_no_data_block(client):
    make_published()
    for url in ("/", "/stories/", "/themes/", "/about/"):
        assert not DATA_BLOCK.search(client.get(url).content.decode()), url


@pytest.mark.parametrize(
    "wrong",
    [
        {"@type": "OralHistoryTestimony", "name": "x"},  # no such type
        {"@type": "Article", "narrator": "x"},  # no such property
        {"@type": "Article", "transcript": "x"},  # a property of AudioObject, not Article
    ],
)
def test_the_check_refuses_what_schema_org_does_not_define(wrong):
    with pytest.raises(AssertionError):
        expanded({"@context": "https://schema.org", **wrong})
