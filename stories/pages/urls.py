from django.urls import path

from ..pagecache.store import cache_public_page as cached
from . import (
    about,
    browse,
    card,
    embed,
    my_story,
    places,
    recording_upload,
    reports,
    searching,
    share,
    share_check,
    story_page,
    timeline,
    withdraw,
)

app_name = "stories"

# The views marked with cached() are the page cache's allowlist (stories/pagecache/store.py):
# read-only public pages. Forms and the narrator's private pages are not.
urlpatterns = [
    path("", cached(browse.HomeView.as_view()), name="home"),
    path("stories/", cached(browse.StoryListView.as_view()), name="story-list"),
    path(
        "stories/<uslug:slug>/",
        cached(story_page.StoryDetailView.as_view()),
        name="story-detail",
    ),
    path("stories/<uslug:slug>/report/", reports.report_story, name="report"),
    path("report/thanks/", reports.report_thanks, name="report-thanks"),
    # The card another site frames (stories/opendata/oembed.py hands out its address).
    path("embed/<int:story_id>/", cached(embed.story_embed), name="story-embed"),
    path("about/", cached(about.AboutView.as_view()), name="about"),
    path("about/requests/", cached(about.DataRequestsView.as_view()), name="data-requests"),
    path("data/", cached(about.OpenDataView.as_view()), name="open-data"),
    path("about/moderation/", cached(about.ModerationFiguresView.as_view()), name="moderation"),
    path("perspectives/", cached(browse.PerspectiveListView.as_view()), name="perspective-list"),
    path(
        "perspectives/<uslug:slug>/",
        cached(browse.PerspectiveDetailView.as_view()),
        name="perspective-detail",
    ),
    path("themes/", cached(browse.ThemeListView.as_view()), name="theme-list"),
    path("themes/<uslug:slug>/", cached(browse.ThemeDetailView.as_view()), name="theme-detail"),
    path("places/", cached(places.PlaceListView.as_view()), name="place-list"),
    path("places/<uslug:slug>/", cached(places.PlaceDetailView.as_view()), name="place-detail"),
    path("timeline/", cached(timeline.TimelineView.as_view()), name="timeline"),
    path("search/", cached(searching.SearchView.as_view()), name="search"),
    path("privacy/", cached(about.PrivacyView.as_view()), name="privacy"),
    path("share/", share.share, name="share"),
    path("share/thanks/", share.share_thanks, name="share-thanks"),
    path("share/recording/", recording_upload.recording_upload, name="share-recording"),
    path("share/check/", share_check.check_and_send, name="share-check"),
    path("share/<slug:slug>/", share.share_step, name="share-step"),
    # The narrator's private page: the story of the latest private link opened.
    path("my-story/", my_story.my_story, name="my-story"),
    path("my-story/withdraw/", withdraw.withdraw, name="withdraw-confirm"),
    path("my-story/correction/", my_story.correction, name="correction"),
    path("my-story/voice/", my_story.keep_voice_private, name="keep-voice-private"),
    path("my-story/licence/", my_story.restrict_licence, name="restrict-licence"),
    path("my-story/card.svg", card.card, name="private-link-card"),
    # The link a narrator is given, and the one emailed before the private page
    # existed: each only hands its token to the session.
    path("my-story/<str:token>/", my_story.private_link, name="private-link"),
    path("withdraw/<str:token>/", my_story.private_link, name="withdraw"),
]
