"""OAI-PMH 2.0: verbs, errors, resumption, selective harvesting, deleted records, validity."""

import datetime

import pytest
from django.utils import timezone
from lxml import etree

from stories.models import Perspective, Story, Theme

from ..factories import make_published
from ..readers import NS, PREFIX, SCHEMA, harvest, queries_made

pytestmark = pytest.mark.django_db


def error_code(tree):
    errors = tree.findall("oai:error", NS)
    return errors[0].get("code") if errors else None


@pytest.fixture
def archive(every_state_archive):
    """A story in every state, and seven more published ones, enough for pages of three."""
    published = [
        make_published(title=f"Published {n}", perspective="critics" if n % 2 else "immigrants",
                       themes=["public-safety"] if n < 3 else ["legal-aid"])
        for n in range(7)
    ]  # fmt: skip
    return {**every_state_archive, "published": [*published, every_state_archive["visible"]]}


def test_identify(client, archive):
    tree = harvest(client, verb="Identify")
    identify = tree.find("oai:Identify", NS)
    assert identify.findtext("oai:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext("oai:baseURL", namespaces=NS) == "http://testserver/oai/"
    assert tree.find("oai:request", NS).get("verb") == "Identify"


def test_metadata_formats_and_sets(client, archive):
    formats = harvest(client, verb="ListMetadataFormats")
    assert formats.findtext(".//oai:metadataPrefix", namespaces=NS) == "oai_dc"
    story = archive["published"][0]
    assert (
        error_code(harvest(client, verb="ListMetadataFormats", identifier=PREFIX + str(story.pk)))
        is None
    )
    assert error_code(harvest(client, verb="ListMetadataFormats", identifier="oai:x:y")) == (
        "idDoesNotExist"
    )
    sets = harvest(client, verb="ListSets")
    specs = {node.text for node in sets.iterfind(".//oai:setSpec", NS)}
    assert f"perspective:{Perspective.objects.get(slug='critics').pk}" in specs
    assert f"theme:{Theme.objects.get(slug='public-safety').pk}" in specs
    assert len(specs) == 2 + Perspective.objects.count() + Theme.objects.count()
    assert error_code(harvest(client, verb="ListSets", resumptionToken="x")) == "badResumptionToken"


def test_get_record_in_dublin_core(client, archive):
    story = archive["published"][1]
    tree = harvest(
        client, verb="GetRecord", identifier=PREFIX + str(story.pk), metadataPrefix="oai_dc"
    )
    record = tree.find(".//oai:record", NS)
    assert record.findtext("oai:header/oai:identifier", namespaces=NS) == PREFIX + str(story.pk)
    dc = record.find("oai:metadata/oai_dc:dc", NS)
    assert dc.findtext("dc:title", namespaces=NS) == "Published 1"
    assert dc.findtext("dc:identifier", namespaces=NS) == f"http://testserver/s/{story.pk}/"
    assert [node.text for node in dc.iterfind("dc:type", NS)] == ["Text", "Oral history"]
    specs = [node.text for node in record.iterfind("oai:header/oai:setSpec", NS)]
    assert f"perspective:{story.perspective_id}" in specs


@pytest.mark.parametrize("which", ["withdrawn", "returned"])
def test_a_story_that_left_the_site_is_a_deleted_record_without_content(client, archive, which):
    story = archive[which]
    tree = harvest(
        client, verb="GetRecord", identifier=PREFIX + str(story.pk), metadataPrefix="oai_dc"
    )
    header = tree.find(".//oai:header", NS)
    assert header.get("status") == "deleted"
    assert tree.find(".//oai:metadata", NS) is None and not header.findall("oai:setSpec", NS)
    text = etree.tostring(tree).decode()
    assert story.title not in text and story.summary not in text
    assert story.contact_email not in text


@pytest.mark.parametrize("which", ["pending", "embargoed"])
def test_a_story_never_public_does_not_exist(client, archive, which):
    tree = harvest(
        client,
        verb="GetRecord",
        identifier=PREFIX + str(archive[which].pk),
        metadataPrefix="oai_dc",
    )
    assert error_code(tree) == "idDoesNotExist"


def test_harvesting_page_by_page_meets_every_published_story_once(client, archive, settings):
    settings.OAI_PAGE_SIZE = 3
    seen, deleted, cursors = [], [], []
    tree = harvest(client, verb="ListRecords", metadataPrefix="oai_dc")
    while True:
        for record in tree.iterfind(".//oai:record", NS):
            header = record.find("oai:header", NS)
            identifier = header.findtext("oai:identifier", namespaces=NS)
            (deleted if header.get("status") == "deleted" else seen).append(identifier)
        token = tree.find(".//oai:resumptionToken", NS)
        assert token is not None and token.get("completeListSize") == "10"
        cursors.append(token.get("cursor"))
        if not token.text:
            break
        tree = harvest(client, verb="ListRecords", resumptionToken=token.text)
    assert sorted(seen) == sorted(PREFIX + str(story.pk) for story in archive["published"])
    assert len(seen) == len(set(seen)) == 8
    assert sorted(deleted) == sorted(PREFIX + str(archive[k].pk) for k in ("withdrawn", "returned"))
    assert cursors == ["0", "3", "6", "9"]
    identifiers = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert identifiers.find(".//oai:metadata", NS) is None
    assert len(identifiers.findall("oai:ListIdentifiers/oai:header", NS)) == 3


def test_selective_harvesting_by_date_sees_an_embargo_lift(client, archive, moderator):
    # Everything so far was harvested an hour ago.
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    Story.objects.update(updated_at=an_hour_ago)
    Story.objects.exclude(pk=archive["embargoed"].pk).exclude(published_at=None).update(
        published_at=an_hour_ago
    )
    last_harvest = timezone.now()
    assert error_code(
        harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc",
                **{"from": last_harvest.strftime("%Y-%m-%dT%H:%M:%SZ")})
    ) == "noRecordsMatch"  # fmt: skip
    # The embargo lifts: nothing is saved, the story becomes public by time alone
    # (its publication time, set at approval, is now past).
    Story.objects.filter(pk=archive["embargoed"].pk).update(published_at=timezone.now())
    since = last_harvest.strftime("%Y-%m-%dT%H:%M:%SZ")
    tree = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": since})
    identifiers = [node.text for node in tree.iterfind(".//oai:identifier", NS)]
    assert identifiers == [PREFIX + str(archive["embargoed"].pk)]
    today = timezone.now().astimezone(datetime.UTC).date().isoformat()
    start = an_hour_ago.astimezone(datetime.UTC).date().isoformat()
    assert error_code(harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc",
                              until="2001-01-01")) == "noRecordsMatch"  # fmt: skip
    days = {"from": start, "until": today}
    whole_day = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **days)
    assert len(whole_day.findall(".//oai:header", NS)) == 11


def test_sets_narrow_a_harvest(client, archive):
    critics = Perspective.objects.get(slug="critics")
    tree = harvest(
        client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=f"perspective:{critics.pk}"
    )
    assert len(tree.findall(".//oai:header", NS)) == 4  # Published 1, 3 and 5, and "visible"
    theme = Theme.objects.get(slug="legal-aid")
    tree = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=f"theme:{theme.pk}")
    assert len(tree.findall(".//oai:header", NS)) == 4
    assert error_code(
        harvest(client, verb="ListRecords", metadataPrefix="oai_dc", set="theme:99999")
    ) == ("noRecordsMatch")


def identifiers(client, **arguments):
    tree = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **arguments)
    return [node.text for node in tree.iterfind(".//oai:header/oai:identifier", NS)]


def test_the_parent_of_every_set_is_listed_before_its_children_and_harvested(client, archive):
    listed = harvest(client, verb="ListSets").iterfind(".//oai:set", NS)
    sets = [
        (node.findtext("oai:setSpec", namespaces=NS), node.findtext("oai:setName", namespaces=NS))
        for node in listed
    ]
    specs = [spec for spec, _name in sets]
    assert sets[0] == ("perspective", "Perspectives")
    assert ("theme", "Themes") in sets
    for spec in specs:
        parent, colon, _child = spec.partition(":")
        assert not colon or specs.index(parent) < specs.index(spec)
    # Every story has a perspective: the parent set is the whole repository, deleted records too.
    assert identifiers(client, set="perspective") == identifiers(client)
    themed = identifiers(client, set="theme")
    children = [
        identifier
        for theme in Theme.objects.all()
        for identifier in identifiers(client, set=f"theme:{theme.pk}")
    ]
    assert len(themed) == len(set(themed)) and set(themed) == set(children)


@pytest.mark.parametrize(
    ("spec", "code"),
    [
        ("theme:x", "noRecordsMatch"),
        ("perspectives", "noRecordsMatch"),
        ("theme:1:2", "noRecordsMatch"),
        # Not a setSpec at all (the protocol's syntax): the argument is bad, and not echoed.
        ("perspective:", "badArgument"),
        (":1", "badArgument"),
        ("theme:é", "badArgument"),
    ],
)
def test_a_set_that_is_not_listed_matches_no_record(client, archive, spec, code):
    tree = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=spec)
    assert error_code(tree) == code


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Harvest"}, "badVerb"),
        ({"verb": ["Identify", "Identify"]}, "badVerb"),
        ({"verb": "Identify", "extra": "1"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:x:story/\x00"},
         "idDoesNotExist"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-01-01",
          "until": "2020-01-01T00:00:00Z"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2021-01-01",
          "until": "2020-01-01"}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": "forged"}, "badResumptionToken"),
        ({"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"},
         "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_dc"]}, "badArgument"),
    ],
)  # fmt: skip
def test_bad_requests_get_the_protocol_errors(client, archive, arguments, code):
    tree = harvest(client, **arguments)
    assert error_code(tree) == code
    if code in ("badVerb", "badArgument"):
        assert tree.find("oai:request", NS).attrib == {}  # the request is not echoed


def test_a_token_is_for_its_own_verb_only(client, archive, settings):
    settings.OAI_PAGE_SIZE = 2
    tree = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = tree.findtext(".//oai:resumptionToken", namespaces=NS)
    assert error_code(harvest(client, verb="ListRecords", resumptionToken=token)) == (
        "badResumptionToken"
    )


def test_post_requests_and_odd_text_still_make_valid_xml(client, archive):
    story = archive["published"][0]
    Story.objects.filter(pk=story.pk).update(title="Control \x01 and \x0b & <tags>")
    response = client.post("/oai/", {"verb": "GetRecord", "metadataPrefix": "oai_dc",
                                     "identifier": PREFIX + str(story.pk)})  # fmt: skip
    tree = etree.fromstring(response.content)
    SCHEMA.assertValid(tree)
    assert tree.findtext(".//dc:title", namespaces=NS) == "Control  and  & <tags>"


def test_a_page_of_records_takes_a_fixed_number_of_queries(client, settings):
    settings.OAI_PAGE_SIZE = 50
    url = "/oai/?verb=ListRecords&metadataPrefix=oai_dc"
    make_published(title="First", themes=["public-safety"])
    few = queries_made(client, url)
    for n in range(20):
        make_published(title=f"Story {n}", themes=["public-safety", "legal-aid"])
    assert queries_made(client, url) == few <= 10
