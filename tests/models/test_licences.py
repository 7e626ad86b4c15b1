"""A story's licence, which only ever narrows, and its persistent identifier
(stories/models/licences.py)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from stories.models import Licence, ModerationEvent, Story, identifier_url, normalise_identifier
from tests.factories import make_published, make_story

pytestmark = pytest.mark.django_db


def test_the_archive_starts_with_two_licences_the_open_one_first_and_default(
    open_licence, reserved
):
    assert list(Licence.objects.offered()) == [open_licence, reserved]
    assert Licence.objects.default() == open_licence
    assert Licence.objects.most_restrictive() == reserved
    assert open_licence.is_creative_commons and not reserved.is_creative_commons
    assert reserved.url == "http://rightsstatements.org/vocab/InC/1.0/"


def test_each_licence_is_named_in_the_readers_language(reserved):
    assert reserved.name_in("en").startswith("All rights reserved")
    assert reserved.name_in("es").startswith("Todos los derechos reservados")
    assert reserved.short_name_in("es") == "Todos los derechos reservados"
    reserved.summary_es = ""
    assert reserved.summary_in("es") == reserved.summary


def test_a_story_saved_without_a_choice_is_held_under_the_most_restrictive_terms(reserved):
    assert make_story().licence == reserved


def test_the_narrator_may_only_narrow_their_licence(open_licence, reserved):
    story = make_published(licence=open_licence)
    assert story.may_restrict_licence_to(reserved)
    assert story.restrict_licence(reserved)
    story.refresh_from_db()
    assert story.licence == reserved
    event = story.events.latest("pk")
    assert event.note == "Licence made more restrictive" and event.actor is None

    # Unchanged is no change; wider is refused, whatever road asks.
    assert not story.restrict_licence(reserved)
    assert not story.may_restrict_licence_to(open_licence)
    with pytest.raises(ValueError):
        story.restrict_licence(open_licence)
    story.refresh_from_db()
    assert story.licence == reserved
    assert ModerationEvent.objects.filter(story=story, note=event.note).count() == 1


def test_a_licence_no_longer_offered_is_not_a_choice(open_licence, reserved):
    story = make_published(licence=open_licence)
    Licence.objects.filter(pk=reserved.pk).update(offered=False)
    reserved.refresh_from_db()
    assert not story.may_restrict_licence_to(reserved)


def test_only_one_licence_is_selected_first(reserved):
    reserved.is_default = True
    with pytest.raises(IntegrityError), transaction.atomic():
        reserved.save()


@pytest.mark.parametrize(
    "pasted, kept, resolver",
    [
        ("ark:/99999/fk4x6b9", "ark:/99999/fk4x6b9", "https://n2t.net/ark:/99999/fk4x6b9"),
        ("ark:99999/fk4x6b9", "ark:/99999/fk4x6b9", "https://n2t.net/ark:/99999/fk4x6b9"),
        (
            "https://n2t.net/ark:/99999/fk4x6b9",
            "ark:/99999/fk4x6b9",
            "https://n2t.net/ark:/99999/fk4x6b9",
        ),
        ("10.5072/persp.21", "doi:10.5072/persp.21", "https://doi.org/10.5072/persp.21"),
        ("https://doi.org/10.5072/P(21)", "doi:10.5072/P(21)", "https://doi.org/10.5072/P(21)"),
        (" doi:10.5072/x ", "doi:10.5072/x", "https://doi.org/10.5072/x"),
        ("", "", ""),
    ],
)
def test_a_persistent_identifier_is_kept_in_one_form(pasted, kept, resolver):
    assert normalise_identifier(pasted) == kept
    assert identifier_url(kept) == resolver


@pytest.mark.parametrize(
    "pasted",
    ["story 21", "ark:/12/x", "10.5072/<script>", "https://evil.example/10.5072/x", "javascript:1"],
)
def test_anything_but_an_ark_or_a_doi_is_refused(pasted):
    with pytest.raises(ValidationError):
        normalise_identifier(pasted)


def test_a_story_keeps_its_identifier_normalised_and_unique():
    story = make_published(persistent_identifier="https://doi.org/10.5072/persp.1")
    assert story.persistent_identifier == "doi:10.5072/persp.1"
    assert story.persistent_url == "https://doi.org/10.5072/persp.1"
    assert make_published().persistent_url == ""
    make_published()  # many stories have none
    with pytest.raises(IntegrityError), transaction.atomic():
        make_published(persistent_identifier="10.5072/persp.1")
    assert Story.objects.filter(persistent_identifier="doi:10.5072/persp.1").count() == 1
