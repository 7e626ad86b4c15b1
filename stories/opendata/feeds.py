"""
RSS and Atom feeds of newly published stories: the whole archive, one
perspective, one theme (Django's syndication framework). Items are
``records.PublicRecord``s, so a feed can only say what a story page says.
"""

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from ..models import Perspective, Theme
from . import records

FEED_LENGTH = 50


MEDIA_RSS = "http://search.yahoo.com/mrss/"
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"
CREATIVE_COMMONS_RSS = "http://backend.userland.com/creativeCommonsRssModule"


class WithRecordingLength:
    """Media RSS's ``<media:content>`` for a recording: its length, which an enclosure lacks."""

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA_RSS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        recording = item.get("recording")
        if recording:
            handler.addQuickElement("media:content", attrs=recording)


class StoriesRssFeed(WithRecordingLength, Rss201rev2Feed):
    """RSS 2.0 has no licence per item: ``<dc:rights>`` gives any licence or rights statement
    in words and with its address, and ``<creativeCommons:license>`` (the Creative Commons
    RSS module) the address of a Creative Commons licence, which feed readers know as the
    item's licence."""

    def root_attributes(self):
        return {
            **super().root_attributes(),
            "xmlns:dc": DUBLIN_CORE,
            "xmlns:creativeCommons": CREATIVE_COMMONS_RSS,
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        licence = item["licence"]
        handler.addQuickElement("dc:rights", licence.statement)
        if licence.is_creative_commons:
            handler.addQuickElement("creativeCommons:license", licence.url)


class StoriesAtomFeed(WithRecordingLength, Atom1Feed):
    """Atom's ``<rights>`` per entry (Django writes the item's copyright there), and the
    licence's address as a ``<link rel="license">`` (RFC 4946)."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("link", "", {"rel": "license", "href": item["licence"].url})


@dataclass(frozen=True)
class Scope:
    """What a feed covers (the archive, or one perspective or theme) and the site's address."""

    base_url: str
    category: object = None


@dataclass(frozen=True)
class Item:
    record: records.PublicRecord
    base_url: str

    @property
    def guid(self):
        """The permanent address, absolute: Atom requires it, RSS readers expect it."""
        return self.base_url + self.record.permalink_path


class NewStoriesFeed(Feed):
    feed_type = StoriesRssFeed
    title = _("Perspectives: new stories")
    link = "/stories/"
    description = _(
        "Stories newly published in Perspectives, an oral-history archive of Los Angeles "
        "as a sanctuary city."
    )

    def get_object(self, request, *args, **kwargs):
        return Scope(base_url=records.base_url(request))

    def items(self, scope):
        stories = records.public_stories()
        if scope.category is not None:
            stories = self.narrow(stories, scope.category)
        shown = [records.PublicRecord.of(story) for story in stories[:FEED_LENGTH]]
        return [Item(record, scope.base_url) for record in shown]

    def narrow(self, stories, category):
        return stories

    def item_title(self, item):
        return item.record.title

    def item_enclosures(self, item):
        recording = item.record.recording
        if recording is None:
            return []
        return [Enclosure(item.base_url + recording.path, str(recording.size), recording.mime_type)]

    def item_copyright(self, item):
        return item.record.licence.statement

    def item_extra_kwargs(self, item):
        recording = item.record.recording
        licence = {"licence": item.record.licence}
        if recording is None:
            return licence
        return {
            **licence,
            "recording": {
                "url": item.base_url + recording.path,
                "type": recording.mime_type,
                "medium": "audio",
                "fileSize": str(recording.size),
                "duration": str(round(recording.duration)),
            },
        }

    def item_description(self, item):
        # Readers take a description as HTML: a narrator's words are shown as text.
        return escape(item.record.summary or item.record.body[:300])

    def item_link(self, item):
        return item.record.path

    def item_guid(self, item):
        return item.guid

    def item_pubdate(self, item):
        return item.record.published_at

    def item_updateddate(self, item):
        return item.record.updated_at

    def item_author_name(self, item):
        return item.record.creator

    def item_categories(self, item):
        record = item.record
        return [record.perspective_name, *(name for _slug, name in record.themes)]


class NewStoriesAtomFeed(NewStoriesFeed):
    feed_type = StoriesAtomFeed
    subtitle = NewStoriesFeed.description


class CategoryFeed(NewStoriesFeed):
    """New stories of one perspective or theme, found by its slug."""

    model = None
    title_text = None

    def get_object(self, request, slug):
        scope = super().get_object(request)
        return Scope(scope.base_url, get_object_or_404(self.model, slug=slug))

    def title(self, scope):
        return self.title_text % {"name": scope.category.name}

    def link(self, scope):
        return scope.category.get_absolute_url()


class PerspectiveFeed(CategoryFeed):
    model = Perspective
    title_text = _("Perspectives: new stories from %(name)s")

    def narrow(self, stories, perspective):
        return stories.filter(perspective=perspective)


class PerspectiveAtomFeed(PerspectiveFeed):
    feed_type = StoriesAtomFeed
    subtitle = NewStoriesFeed.description


class ThemeFeed(CategoryFeed):
    model = Theme
    title_text = _("Perspectives: new stories about %(name)s")

    def narrow(self, stories, theme):
        return stories.carrying_any_theme_of([theme.pk])


class ThemeAtomFeed(ThemeFeed):
    feed_type = StoriesAtomFeed
    subtitle = NewStoriesFeed.description
