from django.urls import path

from ..pagecache.store import cache_public_page as cached
from . import views

app_name = "stories"

# The views marked with cached() are the page cache's allowlist (stories/pagecache/store.py):
# read-only public pages. Forms and the narrator's private pages are not.
urlpatterns = [
    path("", cached(views.HomeView.as_view()), name="home"),
    path("stories/", cached(views.StoryListView.as_view()), name="story-list"),
    path("stories/<uslug:slug>/", cached(views.StoryDetailView.as_view()), name="story-detail"),
    path("stories/<uslug:slug>/report/", views.report_story, name="report"),
    path("report/thanks/", views.report_thanks, name="report-thanks"),
    path("about/moderation/", cached(views.ModerationFiguresView.as_view()), name="moderation"),
    path("perspectives/", cached(views.PerspectiveListView.as_view()), name="perspective-list"),
    path(
        "perspectives/<uslug:slug>/",
        cached(views.PerspectiveDetailView.as_view()),
        name="perspective-detail",
    ),
    path("themes/", cached(views.ThemeListView.as_view()), name="theme-list"),
    path("themes/<uslug:slug>/", cached(views.ThemeDetailView.as_view()), name="theme-detail"),
    path("search/", cached(views.SearchView.as_view()), name="search"),
    path("privacy/", cached(views.PrivacyView.as_view()), name="privacy"),
    path("share/", views.share, name="share"),
    path("share/thanks/", views.share_thanks, name="share-thanks"),
    path("withdraw/", views.withdraw, name="withdraw-confirm"),
    path("withdraw/done/", views.withdraw_done, name="withdraw-done"),
    # The link a narrator is given: it only hands its token to the session.
    path("withdraw/<str:token>/", views.withdrawal_link, name="withdraw"),
]
