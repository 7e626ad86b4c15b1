"""
RSS and Atom feeds of newly published stories: the whole archive, one
perspective, one theme (Django's syndication framework). Items are
``opendata.PublicRecord``s, so a feed can only say what a story page says.
"""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from . import opendata
from .models import Perspective, Theme

FEED_LENGTH = 50


class NewStoriesFeed(Feed):
    title = _("Perspectives: new stories")
    link = "/stories/"
    description = _(
        "Stories newly published in Perspectives, an oral-history archive of Los Angeles "
        "as a sanctuary city."
    )

    def items(self, obj=None):
        stories = opendata.public_stories()
        if obj is not None:
            stories = self.narrow(stories, obj)
        return [opendata.PublicRecord.of(story) for story in stories[:FEED_LENGTH]]

    def narrow(self, stories, obj):
        return stories

    def item_title(self, record):
        return record.title

    def item_description(self, record):
        return record.summary or record.body[:300]

    def item_link(self, record):
        return record.path

    def item_guid(self, record):
        return record.permalink_path

    def item_pubdate(self, record):
        return record.published_at

    def item_updateddate(self, record):
        return record.updated_at

    def item_author_name(self, record):
        return record.creator

    def item_categories(self, record):
        return [record.perspective_name, *(name for _slug, name in record.themes)]


class NewStoriesAtomFeed(NewStoriesFeed):
    feed_type = Atom1Feed
    subtitle = NewStoriesFeed.description


class CategoryFeed(NewStoriesFeed):
    """New stories of one perspective or theme, found by its slug."""

    model = None
    title_text = None

    def get_object(self, request, slug):
        return get_object_or_404(self.model, slug=slug)

    def title(self, category):
        return self.title_text % {"name": category.name}

    def link(self, category):
        return category.get_absolute_url()


class PerspectiveFeed(CategoryFeed):
    model = Perspective
    title_text = _("Perspectives: new stories from %(name)s")

    def narrow(self, stories, perspective):
        return stories.filter(perspective=perspective)


class PerspectiveAtomFeed(PerspectiveFeed):
    feed_type = Atom1Feed
    subtitle = NewStoriesFeed.description


class ThemeFeed(CategoryFeed):
    model = Theme
    title_text = _("Perspectives: new stories about %(name)s")

    def narrow(self, stories, theme):
        return stories.carrying_any_theme_of([theme.pk])


class ThemeAtomFeed(ThemeFeed):
    feed_type = Atom1Feed
    subtitle = NewStoriesFeed.description
