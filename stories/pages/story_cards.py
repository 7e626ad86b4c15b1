"""
Story cards, as every list of stories shows them, made once per story,
language and variant and kept as fragments (stories/pagecache/fragments.py).

A list asks ``Story.objects.published()`` only for the ids of the stories it
shows, in its order, once a generation (stories/pages/paging.py); ``cards(ids)``
gives their cards, reading the kept ones in one round trip and rendering the
others from ``published()`` again (a story that left it meanwhile is left out).
Rendering twenty cards with the template engine took most of a list page's time;
reading them takes a tenth of a millisecond.
"""

import hashlib
from dataclasses import dataclass

from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from ..models import Story, listed_places
from ..pagecache import fragments
from ..pagecache.store import counted_once_per_generation

TEMPLATE = "stories/_story_card.html"

# What each variant of the card leaves out: the perspective in a perspective's column
# (the column says it), the link to the place on the place's own page. A theme page's
# voice is a story's card there (its quote, who said it, the way to the story), its
# perspective the story's: the template also shows a perspective with no story.
VARIANTS = {
    "card": {},
    "column": {"in_column": True},
    "place": {"place_as_text": True},
    "voice": {"perspective": None},
}
TEMPLATES = {"voice": "stories/_voice.html"}


@dataclass(frozen=True)
class Card:
    """A story's card: its HTML, and the story's id, title and address (for the page's
    structured data)."""

    pk: int
    html: str
    title: str
    path: str


class Cards(list):
    """A list's cards, in its order."""

    @property
    def html(self):
        # Rendered by the card template, autoescape on: the narrator's words in it are escaped.
        return mark_safe("".join(card.html for card in self))


def cards(story_ids, *, variant="card", places=None):
    """The cards of the published stories ``story_ids``, in that order.

    ``places``: the places readers can browse (``listed_places()``), if the page
    has read them already.
    """
    story_ids = list(story_ids)
    kept = fragments.kept_per_story(
        "card",
        story_ids,
        lambda missing: render(missing, variant, places=places),
        vary=lambda: (get_language(), variant, places_linked()),
    )
    return Cards(Card(pk, *kept[pk]) for pk in story_ids if pk in kept)


def render(story_ids, *variants, places=None):
    """{id: (its html in each of ``variants``, title, path)} for the published stories among
    ``story_ids``: one read of them, however many variants. ``places``: the places readers
    can browse, if the page has read them already."""
    templates = [(get_template(TEMPLATES.get(name, TEMPLATE)), VARIANTS[name]) for name in variants]
    context = {"listed_places": listed_places() if places is None else places}
    stories = Story.objects.published().for_listing().in_bulk(story_ids)
    return {
        pk: (
            *(
                SafeString(template.render({**context, **variant, "story": story}))
                for template, variant in templates
            ),
            story.title,
            story.get_absolute_url(),
        )
        for pk, story in stories.items()
    }


def places_linked():
    """A digest of which places have a page: a card links its place only if it has one,
    so the cards are kept per set of places, which changes only as a place passes
    the threshold. Worked out once a generation."""
    return counted_once_per_generation(
        "places-linked",
        lambda: hashlib.blake2b(
            "\n".join(sorted(listed_places())).encode(), digest_size=6
        ).hexdigest(),
    )
