"""
The sitemap (Django's sitemaps framework): every public page, in English and
Spanish, with the alternates between them; stories with their last change.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Perspective, Story, Theme


class BilingualSitemap(Sitemap):
    i18n = True
    languages = ["en", "es"]
    alternates = True
    x_default = True


class StorySitemap(BilingualSitemap):
    changefreq = "monthly"
    # 50,000 addresses a file, as the protocol allows: two a story.
    limit = 25_000

    def items(self):
        return Story.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, story):
        return story.updated_at


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
