"""Roads for machines, unprefixed: feeds, the sitemap, exports, permanent addresses."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import api, converters, feeds, machine_views, oai  # noqa: F401 (converters registers <uslug:>)
from .machine_views import dated_by_archive_change
from .pagecache import cache_public_page
from .sitemaps import SITEMAPS


def cached(view):
    """Kept by the page cache, and dated by the archive's last public change."""
    return cache_public_page(dated_by_archive_change(view))


urlpatterns = [
    path("s/<int:story_id>/", machine_views.story_permalink, name="story-permalink"),
    path(
        "s/<int:story_id>/cite.<str:extension>",
        machine_views.citation_file,
        name="story-citation",
    ),
    path("feeds/stories.rss", cached(feeds.NewStoriesFeed()), name="feed-stories-rss"),
    path("feeds/stories.atom", cached(feeds.NewStoriesAtomFeed()), name="feed-stories-atom"),
    path(
        "feeds/perspectives/<uslug:slug>.rss",
        cached(feeds.PerspectiveFeed()),
        name="feed-perspective-rss",
    ),
    path(
        "feeds/perspectives/<uslug:slug>.atom",
        cached(feeds.PerspectiveAtomFeed()),
        name="feed-perspective-atom",
    ),
    path("feeds/themes/<uslug:slug>.rss", cached(feeds.ThemeFeed()), name="feed-theme-rss"),
    path("feeds/themes/<uslug:slug>.atom", cached(feeds.ThemeAtomFeed()), name="feed-theme-atom"),
    path(
        "sitemap.xml",
        cached(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        cached(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("api/v1/", cached(api.root), name="api-root"),
    path("api/v1/stories/", cached(api.stories), name="api-stories"),
    path("api/v1/stories/<int:story_id>/", cached(api.story), name="api-story"),
    path("api/v1/perspectives/", cached(api.perspectives), name="api-perspectives"),
    path("api/v1/themes/", cached(api.themes), name="api-themes"),
    path("api/v1/openapi.json", cached(api.openapi), name="api-openapi"),
    path("api/v1/<path:rest>", api.not_found, name="api-not-found"),
    # Never cached (DESIGN, "Caching"): each answer checks the story and the clearance.
    path("recordings/<int:story_id>/", machine_views.recording, name="story-recording"),
    path(
        "recordings/<int:story_id>/captions.vtt",
        machine_views.captions,
        name="story-captions",
    ),
    path("oai/", oai.endpoint, name="oai"),
    path("export/", machine_views.export_index, name="export"),
    path("export/stories.csv", machine_views.export_csv, name="export-csv"),
    path("export/stories.json", machine_views.export_json, name="export-json"),
]
