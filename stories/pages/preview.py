"""
What readers will see of a narrator, shown on the share form's review step
before anything is sent, and when that could point to one person.

The card is the story page's own narrator line (``stories/_narrator.html``)
and year, rendered from an unsaved story made of what the narrator typed: it
cannot say something the story page would not. The warning rule is written
out, with its reasons, in docs/privacy.md ("What readers see of a narrator").
"""

import dataclasses
import re
import unicodedata

from django.utils.translation import gettext_lazy as _

from ..models import Story
from .forms import NAMED

# A place that names a street, a corner or an address rather than a
# neighbourhood: a number (a house or a street number), or a street word.
STREET_WORDS = re.compile(
    r"\d|&|\b(?:street|st|avenue|ave|boulevard|blvd|road|rd|drive|dr|lane|ln|way|court|ct"
    r"|place|pl|highway|hwy|corner|block|calle|avenida|av|bulevar|calzada|camino|esquina"
    r"|cuadra|callejon|privada)\b",
    re.IGNORECASE,
)
# A descriptor that says where the narrator works or studies, by name:
# "nurse at County-USC", "cocinera en El Tepeyac", "cleaner for the Bradbury".
# A capital after the word is what makes it a name ("madre con tres hijos" is not).
NAMED_WORKPLACE = re.compile(r"(?i:\b(?:at|for|with|en|para|con)\s+(?:the|el|la|los|las)?\s*)[A-Z]")


@dataclasses.dataclass(frozen=True)
class PreviewWarning:
    what: str  # what could point to the narrator
    instead: str  # the shorter option


PLACE_IS_A_STREET = PreviewWarning(
    _("Your place looks like a street, a corner or an address."),
    _("A neighbourhood, not a street: for example “Boyle Heights”."),
)
DESCRIPTOR_NAMES_A_WORKPLACE = PreviewWarning(
    _("Your description names where you work or study."),
    _("Say the kind of work, not the employer: for example “office cleaner”."),
)
ALL_THREE_TOGETHER = PreviewWarning(
    _(
        "Your description, your place and the year together could let people "
        "who know you recognise you."
    ),
    _("A decade, not a year: leave the year empty and say “in the 2010s” in your story."),
)


def _folded(text):
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def warnings_for(*, descriptor, place, year):
    """The plain warnings for what readers would see; empty when it is general enough."""
    warnings = []
    if place and STREET_WORDS.search(_folded(place)):
        warnings.append(PLACE_IS_A_STREET)
    if descriptor and NAMED_WORKPLACE.search(_folded(descriptor)):
        warnings.append(DESCRIPTOR_NAMES_A_WORKPLACE)
    if descriptor and place and year:
        warnings.append(ALL_THREE_TOGETHER)
    return warnings


@dataclasses.dataclass(frozen=True)
class NarratorPreview:
    story: Story  # unsaved: what the story page would show of the narrator
    warnings: list


def narrator_preview(cleaned):
    """The preview card for a share form's cleaned data."""
    story = Story(
        narrator_name=cleaned.get("narrator_name", ""),
        is_anonymous=cleaned.get("appear") != NAMED,
        narrator_descriptor=cleaned.get("narrator_descriptor", ""),
        place=cleaned.get("place", ""),
        year_happened=cleaned.get("year_happened"),
        language=cleaned.get("language") or Story.Language.ENGLISH,
    )
    return NarratorPreview(
        story,
        warnings_for(
            descriptor=story.narrator_descriptor, place=story.place, year=story.year_happened
        ),
    )
