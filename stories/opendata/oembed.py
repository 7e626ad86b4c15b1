"""
oEmbed (https://oembed.com, version 1.0): ``/oembed?url=<a story's address>`` answers
with a card of the story for another site to show, an ``<iframe>`` of the story's embed
page (``/embed/<id>/``, ``stories/pages/embed.py``), the only page of the site that may be
framed. Story pages name this road in a discovery link (``discovery_url``).

- ``url`` is one of this site's addresses for a visible story: its page in either
  language, its permanent address ``/s/<id>/`` or its embed page. The card speaks the
  language of the address (``/es/...`` in Spanish; the permanent address in English).
  Any other address, of this site or another, and any story that is not visible: 404,
  the same answer, so nobody learns that a story exists.
- ``format`` is ``json`` (or left out); ``xml`` and anything else: 501, as the
  specification says.
- ``maxwidth`` and ``maxheight`` are never exceeded (the specification's "must").
  A value that is not a whole number of pixels above zero is ignored, as if not sent:
  the specification answers a bad URL or format, never a bad size, with an error.
- No ``url``: 400, a request that cannot be answered.
"""

import urllib.parse

from django.conf import settings
from django.http import JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext

from . import api, records

VERSION = "1.0"
# The card's width when the consumer names no maximum: readable, and narrow enough to sit
# in a column of text. The embed page reflows down to 320 px and below.
WIDTH = 560
# Heights in CSS pixels of the card's parts, as static/css/site.css draws them (checked by
# eye in the screenshots of docs/reuse.md): what every card has (title, narrator line,
# links), a quote, the player; and what a narrow card adds as its lines wrap.
HEIGHT = 190
QUOTE_HEIGHT = 65
PLAYER_HEIGHT = 85
NARROW = 440
NARROW_EXTRA = 70
# The addresses a card can be asked for: a story's page, its permanent address, its embed.
STORY_BY_SLUG = "stories:story-detail"
STORY_BY_ID = ("story-permalink", "stories:story-embed")


def embed_path(story_id, language):
    with translation.override(language):
        return reverse("stories:story-embed", kwargs={"story_id": story_id})


def discovery_url(request, page_url):
    """The oEmbed address a story page names in its ``<link rel="alternate">``."""
    query = urllib.parse.urlencode({"url": page_url, "format": "json"})
    return f"{records.base_url(request)}{reverse('oembed')}?{query}"


def story_asked_for(request, url):
    """For the visible story ``url`` is an address of on this site: its public record
    (``records.PublicRecord``, the one mapping every machine road reads), the story and the
    language of the address. None for any other address."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # an unclosed IPv6 bracket, say
        return None
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != request.get_host().lower():
        return None
    path = urllib.parse.unquote(parts.path) or "/"
    language = translation.get_language_from_path(path) or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            match = resolve(path)
        except Resolver404:
            return None
    stories = records.public_stories()
    if match.view_name == STORY_BY_SLUG:
        story = stories.filter(slug=match.kwargs["slug"]).first()
    elif match.view_name in STORY_BY_ID:
        story = stories.filter(pk=match.kwargs["story_id"]).first()
    else:
        return None
    return (records.PublicRecord.of(story), story, language) if story is not None else None


def pixels(value):
    """A size the consumer sent, or None if it sent none or no whole number above zero."""
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 6 or int(value) < 1:
        return None
    return int(value)


def card_size(record, maxwidth=None, maxheight=None):
    """The iframe's width and height: the card's own, never beyond what the consumer allows."""
    width = min(WIDTH, maxwidth) if maxwidth else WIDTH
    height = HEIGHT
    if record.quote:
        height += QUOTE_HEIGHT
    if record.recording:  # one readers may hear: the card has a player
        height += PLAYER_HEIGHT
    if width < NARROW:
        height += NARROW_EXTRA
    return width, min(height, maxheight) if maxheight else height


def card(request, record, language, *, named, maxwidth=None, maxheight=None):
    """The oEmbed answer for a story's public record: a dict for JSON.

    ``named``: whether the narrator appears under a name (not anonymous), given as
    ``author_name``; an anonymous story has no author to name.
    """
    base = records.base_url(request)
    width, height = card_size(record, maxwidth, maxheight)
    with translation.override(language):
        provider = gettext("Perspectives")
        frame_title = gettext("%(title)s: a story on Perspectives") % {"title": record.title}
        home = reverse("stories:home")
    answer = {
        "type": "rich",
        "version": VERSION,
        "title": record.title,
        "provider_name": provider,
        "provider_url": base + home,
        "html": format_html(
            '<iframe src="{}" width="{}" height="{}" title="{}" loading="lazy"'
            ' style="border:0;max-width:100%"></iframe>',
            base + embed_path(record.id, language),
            width,
            height,
            frame_title,
        ),
        "width": width,
        "height": height,
    }
    if named:
        answer["author_name"] = record.creator
    return answer


def endpoint(request):
    url = request.GET.get("url", "")
    if not url:
        return api.error(400, "The url parameter is required.")
    if request.GET.get("format", "json") not in ("", "json"):
        return api.error(501, "Only the json format is served.")
    found = story_asked_for(request, url)
    if found is None:
        return api.error(404, "No story of this archive at that address.")
    record, story, language = found
    answer = card(
        request,
        record,
        language,
        # Story.display_name's rule: a name, unless the narrator chose to stay anonymous.
        named=not story.is_anonymous and bool(story.narrator_name.strip()),
        maxwidth=pixels(request.GET.get("maxwidth")),
        maxheight=pixels(request.GET.get("maxheight")),
    )
    return JsonResponse(answer, json_dumps_params={"ensure_ascii": False})
