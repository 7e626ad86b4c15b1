from django.urls import path, register_converter

from . import views
from .converters import UnicodeSlugConverter

register_converter(UnicodeSlugConverter, "uslug")

app_name = "stories"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("stories/", views.StoryListView.as_view(), name="story-list"),
    path("stories/<uslug:slug>/", views.StoryDetailView.as_view(), name="story-detail"),
    path("perspectives/", views.PerspectiveListView.as_view(), name="perspective-list"),
    path(
        "perspectives/<uslug:slug>/",
        views.PerspectiveDetailView.as_view(),
        name="perspective-detail",
    ),
    path("themes/", views.ThemeListView.as_view(), name="theme-list"),
    path("themes/<uslug:slug>/", views.ThemeDetailView.as_view(), name="theme-detail"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("share/", views.share, name="share"),
    path("share/thanks/", views.share_thanks, name="share-thanks"),
    path("withdraw/done/", views.withdraw_done, name="withdraw-done"),
    path("withdraw/<str:token>/", views.withdraw, name="withdraw"),
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
]
