"""
A real OAI-PMH client library (Sickle) harvests the live site with the sample archive, in
pages of seven records, so every list is followed through its resumption tokens as a
harvester follows them: whole lists, sets (the parent sets too), single records.
"""

import pytest
from django.core.management import call_command
from sickle import Sickle
from sickle.oaiexceptions import IdDoesNotExist, NoRecordsMatch

from stories.models import Perspective, Story, Theme
from stories.opendata.oai import in_repository, oai_identifier

PAGE = 7


@pytest.fixture
def harvester(live_server, seeded_transactional_db, settings):
    call_command("load_sample_archive", verbosity=0)
    settings.OAI_PAGE_SIZE = PAGE
    return Sickle(f"{live_server.url}/oai/", timeout=30)


def harvest(harvester, verb="ListIdentifiers", **arguments):
    """Every item of a list, deleted ones too, through all its pages."""
    items = getattr(harvester, verb)(metadataPrefix="oai_dc", ignore_deleted=False, **arguments)
    return list(items)


def identifiers(items):
    found = [getattr(item, "header", item).identifier for item in items]
    assert len(found) == len(set(found)), "an item came twice"
    return set(found)


def test_a_harvest_of_every_record_follows_the_resumption_tokens(harvester):
    records = harvest(harvester, "ListRecords")
    in_the_repository = {oai_identifier(pk) for pk in in_repository().values_list("pk", flat=True)}
    assert len(records) > 3 * PAGE
    assert identifiers(records) == in_the_repository
    public = set(Story.objects.published().values_list("pk", flat=True))
    for record in records:
        story_id = int(record.header.identifier.rsplit("/", 1)[1])
        if story_id in public:
            assert not record.header.deleted
            assert record.metadata["title"] == [Story.objects.get(pk=story_id).title]
            assert record.metadata["identifier"][0].endswith(f"/s/{story_id}/")
        else:
            assert record.header.deleted and not hasattr(record, "metadata")  # header only
    assert any(record.header.deleted for record in records)  # the sample's withdrawn story
    # The same list of identifiers, asked for by POST, as the protocol allows.
    by_post = Sickle(harvester.endpoint, http_method="POST", timeout=30)
    assert identifiers(harvest(by_post)) == in_the_repository


def test_sets_are_listed_with_their_parents_and_harvested(harvester):
    specs = [item.setSpec for item in harvester.ListSets()]
    assert specs[0] == "perspective" and "theme" in specs
    assert {f"perspective:{pk}" for pk in Perspective.objects.values_list("pk", flat=True)} < set(
        specs
    )
    assert {f"theme:{pk}" for pk in Theme.objects.values_list("pk", flat=True)} < set(specs)
    everything = identifiers(harvest(harvester))
    assert identifiers(harvest(harvester, set="perspective")) == everything
    by_perspective = set()
    for perspective in Perspective.objects.all():
        try:
            headers = harvest(harvester, set=f"perspective:{perspective.pk}")
        except NoRecordsMatch:
            continue
        assert all(f"perspective:{perspective.pk}" in h.setSpecs for h in headers if not h.deleted)
        by_perspective |= identifiers(headers)
    assert by_perspective == everything
    themed = identifiers(harvest(harvester, "ListRecords", set="theme"))
    by_theme = set()
    for theme in Theme.objects.all():
        try:
            by_theme |= identifiers(harvest(harvester, set=f"theme:{theme.pk}"))
        except NoRecordsMatch:
            continue
    assert themed == by_theme and len(themed) > PAGE


def test_a_record_by_its_identifier(harvester):
    story = Story.objects.published().order_by("pk").first()
    record = harvester.GetRecord(identifier=oai_identifier(story.pk), metadataPrefix="oai_dc")
    assert record.metadata["title"] == [story.title]
    assert f"perspective:{story.perspective_id}" in record.header.setSpecs
    never_public = Story.objects.filter(status=Story.Status.PENDING).first()
    with pytest.raises(IdDoesNotExist):
        harvester.GetRecord(identifier=oai_identifier(never_public.pk), metadataPrefix="oai_dc")
    assert harvester.Identify().deletedRecord == "persistent"


def test_a_translated_recorded_story_names_both_languages_and_its_chapters(harvester):
    story = Story.objects.get(slug="la-mañana-que-se-llevaron-a-mi-compañero-de-obra")
    record = harvester.GetRecord(metadataPrefix="oai_dc", identifier=oai_identifier(story.pk))
    assert record.metadata["language"] == ["es", "en"]  # the story's own, then its translation's
    assert any(
        relation.endswith(f"/recordings/{story.pk}/chapters.vtt")
        for relation in record.metadata["relation"]
    )


def test_each_harvested_record_states_its_licence_and_persistent_identifier(harvester):
    """The sample archive: pk % 4 == 3 all rights reserved, the rest CC BY-NC-ND 4.0; story 2
    has an ARK, story 21 a DOI."""
    records = {
        int(record.header.identifier.rsplit("/", 1)[1]): record.metadata
        for record in harvest(harvester, "ListRecords")
        if not record.header.deleted
    }
    published = Story.objects.published().select_related("licence").in_bulk(list(records))
    assert len(published) == len(records) > 20
    for pk, metadata in records.items():
        licence = published[pk].licence
        assert metadata["rights"] == [licence.url, licence.name], pk
        assert licence.code == ("all-rights-reserved" if pk % 4 == 3 else "cc-by-nc-nd-4.0")
        assert metadata["identifier"][0].endswith(f"/s/{pk}/")
    assert records[2]["identifier"][1:] == ["https://n2t.net/ark:/99999/fk4perspectives2"]
    assert records[21]["identifier"][1:] == ["https://doi.org/10.5072/perspectives.21"]
    assert all(len(metadata["identifier"]) == 1 for pk, metadata in records.items()
               if pk not in (2, 21))  # fmt: skip
