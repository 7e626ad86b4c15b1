"""
The theme pages, put together from what is kept: the grid of themes and perspectives
(/themes/), and one theme seen from every side (/themes/<slug>/, docs/theme-page.md).

- What a theme's page lists is ids and counts: the theme's row and the perspectives', each
  perspective's newest stories on the theme, the story it is quoted from, its passages, and how
  many of each. ``listing()`` works them out from ``Story.objects.published()`` once per
  generation of the archive and keeps them as plain values: any change readers can see (a
  withdrawal, a retagging, a story featured, a theme renamed) moves the generation on, and the
  next page lists afresh.
- What each story shows there is kept per story (stories/pagecache/fragments.py): its card in
  its perspective's column and its voice in the row (``shown_stories``, the variants "column"
  and "voice" of story_cards.py, made from one read), and its passages on the theme
  (``passages``). A page reads each kind in one round trip and renders only the missing ones,
  from ``published()`` again.
- The rest is prepared here once a page: each perspective's mark and name, rendered once and
  shown in the jump bar, the sections and the passages; the structured data's parts, from the
  fragments' titles and addresses.

The grid of /themes/ changes only with the generation: its template keeps it as a part
({% kept_for_generation %}), and ``Grid`` reads the rows and counts only when it is made.
"""

import functools
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from django.shortcuts import get_object_or_404
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, ngettext

from ..models import (
    Perspective,
    Theme,
    listed_places,
    passages_chosen,
    passages_of_stories,
    theme_perspective_counts,
)
from ..pagecache import fragments
from ..pagecache.store import counted_once_per_generation, digest
from . import story_cards, structured_data

STORIES_PER_COLUMN = 3
# A phone's screenful of passages per perspective; the count says how many more there are.
PASSAGES_PER_PERSPECTIVE = 2


@dataclass(frozen=True)
class Listing:
    """What a theme's page lists, as plain values kept for a generation (``listing()``)."""

    theme: dict  # the theme's row
    perspectives: list  # the perspectives' rows, in display order
    columns: dict  # {perspective id: (its newest story ids, how many, the id quoted or None)}
    passages: dict  # {perspective id: ([(segment id, story id), ...], how many)}, if any
    places: str  # which places have a page (story_cards.places_linked): the fragments vary on it


def listing(slug):
    """The ``Listing`` of the theme ``slug``, worked out once per generation; Http404 if none.

    Kept under the release as well (``fragments.release()``): a deploy that changes these rows
    or this class never reads a listing kept before it. The slug is the reader's: hashed.
    """
    return counted_once_per_generation(
        f"theme-page:{fragments.release()}:{digest(slug)}", lambda: _worked_out(slug)
    )


def _worked_out(slug):
    theme = get_object_or_404(Theme, slug=slug)
    voices = theme.voices(Perspective.objects.all(), per_perspective=STORIES_PER_COLUMN)
    return Listing(
        theme=_row(theme),
        perspectives=[_row(voice.perspective) for voice in voices],
        columns={
            voice.perspective.pk: (voice.story_ids, voice.total, voice.quoted_id)
            for voice in voices
        },
        passages=passages_chosen(theme, per_perspective=PASSAGES_PER_PERSPECTIVE),
        places=story_cards.places_linked(),
    )


def _row(instance):
    """A curated row as plain values, to keep; ``Model(**row)`` makes it an instance again."""
    return {
        field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
    }


def shown_stories(story_ids, places):
    """{story id: (its card in its perspective's column, its voice, its title, its address)} of
    the published stories among ``story_ids``: kept per story and language."""
    return fragments.kept_per_story(
        "side-by-side",
        story_ids,
        lambda missing: story_cards.render(missing, "column", "voice"),
        vary=(get_language(), places),
    )


def passages(theme, story_ids, places):
    """{story id: (its title, its address, {segment id: the passage's HTML})} of the published
    stories among ``story_ids`` with a cleared recording: kept per story, language and theme."""
    if not story_ids:
        return {}  # most themes have none: no round trip
    return fragments.kept_per_story(
        "passages",
        story_ids,
        lambda missing: _render_passages(theme, missing),
        vary=(get_language(), places, str(theme.pk)),
    )


def _render_passages(theme, story_ids):
    template = get_template("stories/_passage.html")
    context = {"listed_places": listed_places()}
    told = passages_of_stories(theme, story_ids, language=get_language())
    return {
        story_id: (
            found[0].story.title,
            found[0].story.get_absolute_url(),
            {
                passage.segment.pk: SafeString(template.render({**context, "passage": passage}))
                for passage in found
            },
        )
        for story_id, found in told.items()
    }


@dataclass(frozen=True)
class Voice:
    """A perspective on the theme page: its mark and name, its voice, its column of stories."""

    perspective: Perspective
    label: str  # its mark and name (stories/_perspective.html)
    html: str  # its voice in the row: its quoted story's, or the one saying it has none
    cards: story_cards.Cards  # its newest stories on the theme
    total: int
    column: str  # its section under "Every story on this theme, by perspective" (``column``)

    @property
    def anchor(self):
        """The id of its section, for the jump bar's links."""
        return anchor(self.perspective)


def anchor(perspective):
    return f"voice-{perspective.slug}"


# A perspective's section in "Every story on this theme, by perspective", written here: as a
# loop of the template, its nine tags six times a page were a tenth of the page's time. Each
# value is escaped by format_html but the label and the cards, rendered by their templates.
COLUMN = """<section class="perspective-stories colour-{colour}" id="{anchor}" \
aria-labelledby="{anchor}-heading">
        <h3 id="{anchor}-heading">{label}</h3>
        {stories}
      </section>"""
STORIES = """<div class="card-grid">{cards}</div>
          <p class="column-more"><a href="{url}">{words}</a></p>"""
NO_STORY = """<p class="empty-column">{none} <a href="{share_url}">{share}</a></p>"""
# Where a column's cards go: the column around them is written once for each of its values.
CARDS = "\x00cards\x00"


def column(row, cards, total, *, theme_slug, language, story_list_url, share_url):
    """A perspective's section (``COLUMN``), from its row's items: its newest stories on the
    theme (``cards``) and the link to all of them, or the words saying it has none yet and
    the way to share one."""
    before, after = column_around(
        row, bool(cards), total, theme_slug, language, story_list_url, share_url
    )
    return before + cards.html + after if cards else before


@functools.lru_cache(maxsize=256)
def column_around(row, with_cards, total, theme_slug, language, story_list_url, share_url):
    """A perspective's section but its cards, as the HTML before them and after them: written
    once a process for each row, count, theme and language (``language``: the active one)."""
    perspective = Perspective(**dict(row))
    if with_cards:
        stories = format_html(
            STORIES,
            cards=CARDS,
            url=f"{story_list_url}?"
            + urlencode({"theme": theme_slug, "perspective": perspective.slug}),
            words=ngettext(
                "%(counter)s story from %(perspective)s on this theme",
                "All %(counter)s stories from %(perspective)s on this theme",
                total,
            )
            % {"counter": total, "perspective": perspective.local_name},
        )
    else:
        stories = format_html(
            NO_STORY,
            none=gettext("No story from this perspective on this theme yet."),
            share_url=share_url,
            share=gettext("Share your story"),
        )
    html = format_html(
        COLUMN,
        colour=perspective.colour,
        anchor=anchor(perspective),
        label=perspective_label(row, language),
        stories=stories,
    )
    before, _, after = html.partition(CARDS)
    return SafeString(before), SafeString(after)


@dataclass(frozen=True)
class Passages:
    """A perspective's passages on the theme: the first few (HTML), and how many it has."""

    perspective: Perspective
    label: str
    shown: list
    total: int


@dataclass(frozen=True)
class SideBySide:
    """Everything the theme page shows but the compare form (stories/pages/compare.py)."""

    theme: Theme
    perspectives: list
    voices: list  # a Voice per perspective, in display order
    passages: list  # Passages, of the perspectives that have any
    without_passages: list  # the labels of those that have none
    listed: list  # (title, path) of every story shown, once each, for the structured data


def side_by_side(slug):
    """The page of the theme ``slug`` (Http404 if none): its listing, kept for the generation,
    and its stories' fragments, one round trip for each (and one for passages, if any)."""
    listed = listing(slug)
    theme = Theme(**listed.theme)
    perspectives = [Perspective(**row) for row in listed.perspectives]
    language = get_language()
    rows = [tuple(row.items()) for row in listed.perspectives]
    labels = [perspective_label(row, language) for row in rows]
    columns = [listed.columns[perspective.pk] for perspective in perspectives]
    chosen = [listed.passages.get(perspective.pk, ([], 0)) for perspective in perspectives]
    kept = shown_stories(
        [pk for story_ids, _, quoted_id in columns for pk in (quoted_id, *story_ids) if pk],
        listed.places,
    )
    told = passages(
        theme, [story_id for segments, _ in chosen for _, story_id in segments], listed.places
    )

    links = {
        "theme_slug": theme.slug,
        "language": language,
        "story_list_url": reverse("stories:story-list"),
        "share_url": reverse("stories:share"),
    }
    shown = []  # (id, title, path) of each story, in the order the page shows them
    voices = []
    no_voice = get_template("stories/_voice.html")
    for perspective, row, label, (story_ids, total, quoted_id) in zip(
        perspectives, rows, labels, columns, strict=True
    ):
        cards = story_cards.Cards(
            story_cards.Card(pk, kept[pk][0], *kept[pk][2:]) for pk in story_ids if pk in kept
        )
        if quoted_id in kept:
            html = kept[quoted_id][1]
            shown.append((quoted_id, *kept[quoted_id][2:]))
        else:
            html = no_voice.render({"perspective": perspective})
        shown += [(card.pk, card.title, card.path) for card in cards]
        voices.append(
            Voice(
                perspective,
                label,
                html,
                cards,
                total,
                column(row, cards, total, **links),
            )
        )
    groups = []
    for perspective, label, (segments, total) in zip(perspectives, labels, chosen, strict=True):
        if not total:
            continue
        html = []
        for segment_id, story_id in segments:
            title, path, by_segment = told.get(story_id, (None, None, {}))
            if segment_id in by_segment:
                html.append(by_segment[segment_id])
                shown.append((story_id, title, path))
        groups.append(Passages(perspective, label, html, total))
    return SideBySide(
        theme=theme,
        perspectives=perspectives,
        voices=voices,
        passages=groups,
        without_passages=[
            label for label, (_, total) in zip(labels, chosen, strict=True) if not total
        ],
        listed=structured_data.listed_once(shown),
    )


@functools.lru_cache(maxsize=64)
def perspective_label(row, language):
    """A perspective's mark and name (stories/_perspective.html), from its row's items, in
    ``language`` (the active one): rendered once a process for each row and language, so a
    renamed perspective is simply another row."""
    perspective = Perspective(**dict(row))
    return get_template("stories/_perspective.html").render({"perspective": perspective})


class Grid:
    """The cards and the table of /themes/: read only when its kept part is made."""

    @cached_property
    def perspectives(self):
        return list(Perspective.objects.all())

    @cached_property
    def themes(self):
        return Theme.objects.with_published_counts()

    @cached_property
    def rows(self):
        """(theme, [(perspective, how many published stories it has on the theme)])."""
        counts = theme_perspective_counts()
        return [
            (theme, [(p, counts.get((theme.pk, p.pk), 0)) for p in self.perspectives])
            for theme in self.themes
        ]
