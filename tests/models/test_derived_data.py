"""
What derives from a story's rows (the search index, the cached pages) follows
plain ORM changes made anywhere, not only those made in the admin.
"""

import pytest
from django.contrib.sessions.models import Session
from django.db.models.deletion import Collector

from stories.models import Story, Theme
from stories.pagecache import store
from stories.search import index as search_index
from stories.search import results

from ..factories import make_published, make_story

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]

FILLER = "We talked about the weather, the buses and the price of bread. "
CACHED_PAGES = ["/", "/stories/", "/themes/legal-aid/"]


def found(query):
    return [story.title for story in results.search(Story.objects.published(), query)]


def pages(client):
    return {url: client.get(url).content.decode() for url in CACHED_PAGES}


def test_a_title_saved_in_code_reaches_the_index_and_the_pages(client):
    story = make_published(title="Pelican crossing", body=FILLER, themes=["legal-aid"])
    before = pages(client)
    assert all("Pelican crossing" in page for page in before.values())
    story.title = "Cormorant crossing"
    story.save()
    assert found("pelican") == []
    assert found("cormorant") == ["Cormorant crossing"]
    after = pages(client)
    assert all("Cormorant crossing" in page for page in after.values())


def test_themes_set_in_code_reach_the_index_and_the_pages(client):
    story = make_published(title="Retagged", body=FILLER, themes=["economy-and-work"])
    assert "Retagged" not in pages(client)["/themes/legal-aid/"]
    story.themes.set(Theme.objects.filter(slug="legal-aid"))
    assert found("economy") == []
    assert found("legal aid") == ["Retagged"]
    assert "Retagged" in pages(client)["/themes/legal-aid/"]


def test_a_status_changed_in_code_reaches_the_index_and_the_pages(client, moderator):
    story = make_published(title="Heron tale", body=FILLER, themes=["legal-aid"])
    assert all("Heron tale" in page for page in pages(client).values())
    story.return_to_review(by=moderator)
    assert found("heron") == []
    assert not any("Heron tale" in page for page in pages(client).values())
    story.approve(by=moderator)
    assert found("heron") == ["Heron tale"]
    assert all("Heron tale" in page for page in pages(client).values())


def test_a_theme_renamed_in_code_reaches_the_index_and_the_pages(client):
    make_published(title="Welcome", body=FILLER, themes=["legal-aid"])
    make_published(title="Acogida", body=FILLER, themes=["legal-aid"], language="es")
    assert "Sanctuary heritage" not in pages(client)["/stories/"]
    theme = Theme.objects.get(slug="legal-aid")
    theme.name, theme.name_es = "Sanctuary heritage", "Herencia santuario"
    theme.save()
    assert found("heritage") == ["Welcome"]
    assert found("herencia") == ["Acogida"]
    assert found("legal aid") == []
    assert "Sanctuary heritage" in pages(client)["/themes/legal-aid/"]


def test_a_theme_description_edit_reindexes_nothing_but_renews_the_pages(client, monkeypatch):
    make_published(title="Welcome", body=FILLER, themes=["legal-aid"])
    pages(client)
    reindexed = []
    monkeypatch.setattr(search_index, "reindex", lambda stories: reindexed.append(stories))
    theme = Theme.objects.get(slug="legal-aid")
    theme.description = "Lawyers, clinics and the people who help for free."
    theme.save()
    assert reindexed == []
    assert "clinics and the people" in pages(client)["/themes/legal-aid/"]


def test_a_theme_merged_in_code_reaches_the_index_and_the_pages(client):
    make_published(title="Merged", body=FILLER, themes=["history-of-welcome"])
    assert "Merged" not in pages(client)["/themes/legal-aid/"]
    Theme.objects.get(slug="history-of-welcome").merge_into(Theme.objects.get(slug="legal-aid"))
    assert found("welcome") == []
    assert found("legal aid") == ["Merged"]
    assert "Merged" in pages(client)["/themes/legal-aid/"]


def test_a_theme_deleted_in_code_leaves_the_index_and_the_pages(client):
    make_published(title="Orphaned", body=FILLER, themes=["history-of-welcome"])
    assert "History of welcome" in pages(client)["/stories/"]
    Theme.objects.filter(slug="history-of-welcome").delete()
    assert found("welcome") == []
    assert "History of welcome" not in pages(client)["/stories/"]


def test_stories_deleted_in_code_leave_the_index_and_the_pages(client):
    make_published(title="Kingfisher", body=FILLER, themes=["legal-aid"])
    assert all("Kingfisher" in page for page in pages(client).values())
    Story.objects.filter(title="Kingfisher").delete()
    assert found("kingfisher") == []
    assert not any("Kingfisher" in page for page in pages(client).values())


def test_a_change_to_a_story_nobody_sees_keeps_every_page(client):
    make_published(title="Seen", body=FILLER)
    story = make_story(title="Pending", body=FILLER)
    pages(client)
    generation = store.generation()
    story.title = "Still pending"
    story.save()
    story.themes.set(Theme.objects.filter(slug="legal-aid"))
    assert store.generation() == generation


def test_rows_outside_the_archive_can_be_deleted_fast():
    # Receivers connected for every model made Django load each session before deleting it.
    assert Collector(using="default").can_fast_delete(Session.objects.all())
