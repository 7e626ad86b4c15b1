from django.urls import path

from ..pagecache.store import cache_public_page as cached
from . import share

app_name = "stories"

# The views marked with cached() are the page cache's allowlist (stories/pagecache/store.py):
# read-only public pages. Forms and the narrator's private pages are not.
urlpatterns = [
    path("", cached(share.HomeView.as_view()), name="home"),
    path("stories/", cached(share.StoryListView.as_view()), name="story-list"),
    path("stories/<uslug:slug>/", cached(share.StoryDetailView.as_view()), name="story-detail"),
    path("stories/<uslug:slug>/report/", share.report_story, name="report"),
    path("report/thanks/", share.report_thanks, name="report-thanks"),
    path("about/moderation/", cached(share.ModerationFiguresView.as_view()), name="moderation"),
    path("perspectives/", cached(share.PerspectiveListView.as_view()), name="perspective-list"),
    path(
        "perspectives/<uslug:slug>/",
        cached(share.PerspectiveDetailView.as_view()),
        name="perspective-detail",
    ),
    path("themes/", cached(share.ThemeListView.as_view()), name="theme-list"),
    path("themes/<uslug:slug>/", cached(share.ThemeDetailView.as_view()), name="theme-detail"),
    path("search/", cached(share.SearchView.as_view()), name="search"),
    path("privacy/", cached(share.PrivacyView.as_view()), name="privacy"),
    path("share/", share.share, name="share"),
    path("share/thanks/", share.share_thanks, name="share-thanks"),
    path("withdraw/", share.withdraw, name="withdraw-confirm"),
    path("withdraw/done/", share.withdraw_done, name="withdraw-done"),
    # The link a narrator is given: it only hands its token to the session.
    path("withdraw/<str:token>/", share.withdrawal_link, name="withdraw"),
]
