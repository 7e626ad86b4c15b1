from django.urls import path

from ..pagecache.store import cache_public_page as cached
from . import about, browse, reports, share, withdraw

app_name = "stories"

# The views marked with cached() are the page cache's allowlist (stories/pagecache/store.py):
# read-only public pages. Forms and the narrator's private pages are not.
urlpatterns = [
    path("", cached(browse.HomeView.as_view()), name="home"),
    path("stories/", cached(browse.StoryListView.as_view()), name="story-list"),
    path("stories/<uslug:slug>/", cached(browse.StoryDetailView.as_view()), name="story-detail"),
    path("stories/<uslug:slug>/report/", reports.report_story, name="report"),
    path("report/thanks/", reports.report_thanks, name="report-thanks"),
    path("about/moderation/", cached(about.ModerationFiguresView.as_view()), name="moderation"),
    path("perspectives/", cached(browse.PerspectiveListView.as_view()), name="perspective-list"),
    path(
        "perspectives/<uslug:slug>/",
        cached(browse.PerspectiveDetailView.as_view()),
        name="perspective-detail",
    ),
    path("themes/", cached(browse.ThemeListView.as_view()), name="theme-list"),
    path("themes/<uslug:slug>/", cached(browse.ThemeDetailView.as_view()), name="theme-detail"),
    path("search/", cached(browse.SearchView.as_view()), name="search"),
    path("privacy/", cached(about.PrivacyView.as_view()), name="privacy"),
    path("share/", share.share, name="share"),
    path("share/thanks/", share.share_thanks, name="share-thanks"),
    path("withdraw/", withdraw.withdraw, name="withdraw-confirm"),
    path("withdraw/done/", withdraw.withdraw_done, name="withdraw-done"),
    # The link a narrator is given: it only hands its token to the session.
    path("withdraw/<str:token>/", withdraw.withdrawal_link, name="withdraw"),
]
