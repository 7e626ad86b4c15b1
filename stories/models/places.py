"""
Places: the neighbourhood or city a narrator typed (``Story.place``), made
browsable without ever pointing at one narrator.

A place's key folds what narrators type differently ("Boyle Heights",
"boyle  heights", "Boyle-Heights") into one slug; its name is the spelling
most of its published stories use. Readers are shown a place only once at
least ``PLACE_MIN_STORIES`` published stories name it: a place with one story
points at its narrator (docs/architecture.md, "Places and the timeline").
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils.text import slugify

from ..pagecache.store import counted_once_per_generation
from ..search.text import fold


def place_key(text):
    """The place ``text`` names, as a slug: case, accents, spaces and punctuation folded."""
    return slugify(fold(text or ""), allow_unicode=True)


@dataclass(frozen=True)
class Place:
    key: str
    name: str
    count: int
    # Every spelling of the place among published stories: the place page reads them.
    spellings: tuple

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("stories:place-detail", kwargs={"slug": self.key})


def places_from_counts(rows):
    """{key: Place} from (spelling, number of stories) rows, spellings of one place together.

    The name is the most common spelling; between two as common, the first in
    alphabetical order, so it does not change from one reading to the next.
    """
    spellings = defaultdict(Counter)
    for spelling, count in rows:
        key = place_key(spelling)
        if key:
            spellings[key][spelling] += count
    return {
        key: Place(
            key=key,
            name=min(counts, key=lambda spelling: (-counts[spelling], spelling)),
            count=sum(counts.values()),
            spellings=tuple(sorted(counts)),
        )
        for key, counts in spellings.items()
    }


def listed_places():
    """{key: Place} for the places readers can browse, by their published stories alone.

    The places of every published story are grouped once per generation of the
    archive (one grouped query); the threshold is applied as they are read.
    """
    # Story from the app registry: story.py imports this module for place_key.
    stories = apps.get_model("stories", "Story").objects
    every = counted_once_per_generation("places", lambda: stories.published().places())
    return {key: place for key, place in every.items() if place.count >= settings.PLACE_MIN_STORIES}


def in_name_order(places):
    """``places`` (Place values) in the alphabetical order of their names, accents aside."""
    return sorted(places, key=lambda place: (fold(place.name), place.key))
