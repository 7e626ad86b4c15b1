"""
Roads for machines, unprefixed: feeds, the sitemap, the JSON API, OAI-PMH, exports, permanent
addresses and citation files, IIIF manifests and collections, and the guarded recording and
captions roads.
"""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from .. import converters  # noqa: F401 (converters registers <uslug:>)
from ..pagecache.store import cache_public_page
from ..recordings import views as recordings
from . import api, exports, feeds, iiif, iiif_collections, oai, oembed, views
from .roads import dated_by_archive_change, machine_road
from .sitemaps import SITEMAPS


def cached(view):
    """Kept by the page cache, and dated by the archive's last public change."""
    return cache_public_page(dated_by_archive_change(view))


# Every road here answers methods, other sites and errors by one rule (stories/opendata/roads.py).
open_data = machine_road()
open_json = machine_road(errors=api.error)
# The permanent address leads into the pages for people; recordings are the guarded road,
# played by <audio>, which needs no leave to play another site's sound: neither is for scripts.
for_browsers = machine_road(cross_origin=False)

urlpatterns = [
    path("s/<int:story_id>/", for_browsers(views.story_permalink), name="story-permalink"),
    path(
        "s/<int:story_id>/cite.<str:extension>",
        open_data(views.citation_file),
        name="story-citation",
    ),
    path("feeds/stories.rss", open_data(cached(feeds.NewStoriesFeed())), name="feed-stories-rss"),
    path(
        "feeds/stories.atom",
        open_data(cached(feeds.NewStoriesAtomFeed())),
        name="feed-stories-atom",
    ),
    path(
        "feeds/perspectives/<uslug:slug>.rss",
        open_data(cached(feeds.PerspectiveFeed())),
        name="feed-perspective-rss",
    ),
    path(
        "feeds/perspectives/<uslug:slug>.atom",
        open_data(cached(feeds.PerspectiveAtomFeed())),
        name="feed-perspective-atom",
    ),
    path(
        "feeds/themes/<uslug:slug>.rss", open_data(cached(feeds.ThemeFeed())), name="feed-theme-rss"
    ),
    path(
        "feeds/themes/<uslug:slug>.atom",
        open_data(cached(feeds.ThemeAtomFeed())),
        name="feed-theme-atom",
    ),
    path(
        "sitemap.xml",
        open_data(cached(sitemap_views.index)),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        open_data(cached(sitemap_views.sitemap)),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("api/v1/", open_json(cached(api.root)), name="api-root"),
    path("api/v1/stories/", open_json(cached(api.stories)), name="api-stories"),
    path("api/v1/stories/<int:story_id>/", open_json(cached(api.story)), name="api-story"),
    path("api/v1/perspectives/", open_json(cached(api.perspectives)), name="api-perspectives"),
    path("api/v1/themes/", open_json(cached(api.themes)), name="api-themes"),
    path("api/v1/openapi.json", open_json(cached(api.openapi)), name="api-openapi"),
    # Any other address under /api/ (an unknown endpoint, a version that does not exist).
    path("api/<path:rest>", open_json(api.not_found), name="api-not-found"),
    # Never cached (docs/architecture.md, "The guarded roads"): each answer checks the story
    # and the clearance.
    path("recordings/<int:story_id>/", for_browsers(recordings.recording), name="story-recording"),
    path(
        "recordings/<int:story_id>/captions.vtt",
        for_browsers(recordings.captions),
        name="story-captions",
    ),
    # The recording's index as the player's chapters: public with the transcript.
    path(
        "recordings/<int:story_id>/chapters.vtt",
        for_browsers(recordings.chapters),
        name="story-chapters",
    ),
    path(
        "recordings/<int:story_id>/captions.translation.vtt",
        for_browsers(recordings.captions_translation),
        name="story-captions-translation",
    ),
    # The transcript to download: public wherever it is shown, a voice kept private included,
    # so its address names no recording (tests/test_leak.py).
    path(
        "transcripts/<int:story_id>.txt",
        for_browsers(recordings.transcript_text),
        name="story-transcript-text",
    ),
    path(
        "transcripts/<int:story_id>.vtt",
        for_browsers(recordings.transcript_webvtt),
        name="story-transcript-webvtt",
    ),
    # The archive's translation of the transcript, on the same guard: 404 where none.
    path(
        "transcripts/<int:story_id>.translation.txt",
        for_browsers(recordings.transcript_text),
        {"translated": True},
        name="story-transcript-translation-text",
    ),
    path(
        "transcripts/<int:story_id>.translation.vtt",
        for_browsers(recordings.transcript_webvtt),
        {"translated": True},
        name="story-transcript-translation-webvtt",
    ),
    # OAI-PMH takes its arguments by POST as well as GET (the protocol, section 3.1.1).
    path("oai/", machine_road(serves=("GET", "HEAD", "POST"))(oai.endpoint), name="oai"),
    # oEmbed: a story's card for another site to frame (stories/opendata/oembed.py).
    path("oembed", open_json(cached(oembed.endpoint)), name="oembed"),
    # IIIF Presentation 3: a heard recording's manifest, and collections of them.
    path(
        "iiif/<int:story_id>/manifest.json",
        open_json(cached(iiif.manifest_view)),
        name="iiif-manifest",
    ),
    path(
        "iiif/collection.json",
        open_json(cached(iiif_collections.collections)),
        name="iiif-collection",
    ),
    path(
        "iiif/themes/<uslug:slug>/collection.json",
        open_json(cached(iiif_collections.theme_collection)),
        name="iiif-theme-collection",
    ),
    path(
        "iiif/perspectives/<uslug:slug>/collection.json",
        open_json(cached(iiif_collections.perspective_collection)),
        name="iiif-perspective-collection",
    ),
    path("export/", open_json(exports.export_index), name="export"),
    path("export/stories.csv", open_data(exports.export_csv), name="export-csv"),
    path("export/stories.json", open_json(exports.export_json), name="export-json"),
]
