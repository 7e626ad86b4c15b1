"""
The sitemap (Django's sitemaps framework): every public page, in English and
Spanish, with the alternates between them; stories with their last change.
"""

import functools
from collections.abc import Sequence

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import iri_to_uri

from ..models import Perspective, Story, Theme


class BilingualSitemap(Sitemap):
    i18n = True
    languages = ["en", "es"]
    alternates = True
    x_default = True


SLUG_MARK = "slug-goes-here"
LANGUAGES = ("en", "es")


class StoryAddresses(Sequence):
    """Every published story's address in both languages, read a file's worth at a time.

    Django's bilingual sitemaps build the list of every item in every language
    before cutting out a page: 4 s a file at 100,000 stories. This sequence
    reads from the database only the stories of the slice asked for.
    """

    def __init__(self):
        self.stories = Story.objects.published().order_by("pk").values_list("slug", "updated_at")

    def __len__(self):
        return self.stories.count() * len(LANGUAGES)

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("Story addresses are read in slices.")
        start, stop, _step = index.indices(len(self))
        first = start // len(LANGUAGES)
        rows = self.stories[first : -(-stop // len(LANGUAGES))]
        addresses = [(slug, updated, language) for slug, updated in rows for language in LANGUAGES]
        skipped = start - first * len(LANGUAGES)
        return addresses[skipped : skipped + stop - start]


class StorySitemap(Sitemap):
    changefreq = "monthly"
    # Addresses a file: 2,500 stories in two languages. The protocol allows 50,000,
    # but Django renders some 8,000 a second: a file should not take seconds.
    limit = 5_000

    def items(self):
        return StoryAddresses()

    def location(self, address):
        slug, _updated, language = address
        return self._path(slug, language)

    def _path(self, slug, language):
        # Reversed once per language and filled in, rather than once per address.
        return self._address_pattern(language).replace(SLUG_MARK, iri_to_uri(slug))

    def get_urls(self, page=1, site=None, protocol=None):
        """Each address with its alternates, as Django gives a bilingual sitemap's."""
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        for url in urls:
            slug, _updated, language = url["item"]
            origin = url["location"].removesuffix(self._path(slug, language))
            url["alternates"] = [
                {"lang_code": code, "location": origin + self._path(slug, code)}
                for code in LANGUAGES
            ] + [{"lang_code": "x-default", "location": origin + self._path(slug, "en")}]
        return urls

    @staticmethod
    @functools.cache
    def _address_pattern(language):
        with translation.override(language):
            return reverse("stories:story-detail", kwargs={"slug": SLUG_MARK})

    def lastmod(self, address):
        return address[1]

    def get_latest_lastmod(self):
        return Story.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class PerspectiveSitemap(BilingualSitemap):
    changefreq = "weekly"

    def items(self):
        return Perspective.objects.all()


class ThemeSitemap(BilingualSitemap):
    changefreq = "weekly"

    def items(self):
        return Theme.objects.all()


class PageSitemap(BilingualSitemap):
    changefreq = "weekly"
    PAGES = (
        "stories:home",
        "stories:story-list",
        "stories:perspective-list",
        "stories:theme-list",
        "stories:share",
        "stories:moderation",
        "stories:privacy",
        "stories:about",
        "stories:data-requests",
        "stories:open-data",
    )

    def items(self):
        return list(self.PAGES)

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "perspectives": PerspectiveSitemap,
    "themes": ThemeSitemap,
    "stories": StorySitemap,
}
