"""
Both languages first-class (docs/languages.md): the home page features stories in the page's
language first; a story told in the other language opens with a notice and, where a moderator
wrote one, the summary translated by the archive, labelled as such; the search page says what
the glossary added, marks each result told in the other language and keeps one language on
request.
"""

from unittest import mock

import pytest

from stories.models import GlossaryTerm, Story, StoryQuerySet
from stories.safety import privacy

from ..factories import PHONE, admin_edit, make_published
from ..readers import listed_titles

pytestmark = pytest.mark.django_db

PERSPECTIVES = ["immigrants", "law-enforcement", "city-officials", "advocates", "critics"]


def featured_on(client, url):
    return [card.title for card in client.get(url).context["featured_cards"]]


def feature(story):
    Story.objects.filter(pk=story.pk).update(featured=True)
    return story


@pytest.fixture
def english_features(db):
    """One featured English story per perspective; a Spanish one, not featured, beside each."""
    for perspective in PERSPECTIVES:
        feature(make_published(title=f"Featured {perspective}", perspective=perspective))
        make_published(title=f"Spanish {perspective}", perspective=perspective, language="es")


def test_the_spanish_home_page_features_spanish_stories_of_the_same_perspectives(
    client, english_features
):
    assert sorted(featured_on(client, "/es/")) == sorted(f"Spanish {p}" for p in PERSPECTIVES)
    assert sorted(featured_on(client, "/")) == sorted(f"Featured {p}" for p in PERSPECTIVES)


def test_a_featured_story_stays_where_its_perspective_has_nothing_in_the_pages_language(client):
    feature(make_published(title="Featured critic", perspective="critics"))
    feature(make_published(title="Destacada", perspective="advocates", language="es"))
    make_published(title="Otra crítica", perspective="residents", language="es")
    make_published(title="An advocate", perspective="advocates")
    assert featured_on(client, "/es/") == ["Destacada", "Featured critic"]
    # The English page features the advocates' English story in the Spanish one's place.
    assert featured_on(client, "/") == ["An advocate", "Featured critic"]


def test_a_stand_in_is_not_listed_again_among_the_recent_stories(client, english_features):
    recent = [card.title for card in client.get("/es/").context["recent_cards"]]
    assert not set(recent) & set(featured_on(client, "/es/"))


def test_the_featured_choice_is_worked_out_once_a_generation(client, english_features, page_cache):
    real = StoryQuerySet.featured_ids_for
    with mock.patch.object(
        StoryQuerySet, "featured_ids_for", autospec=True, side_effect=real
    ) as spy:
        client.get("/es/")
        featured = featured_on(client, "/es/?again")
        assert spy.call_count == 1
        assert sorted(featured) == sorted(f"Spanish {p}" for p in PERSPECTIVES)
        featured_on(client, "/")
        assert spy.call_count == 2  # once per language
        feature(make_published(title="Destacada", perspective="residents", language="es"))
        make_published(title="Newer", perspective="residents")  # a row saved: a new generation
        assert "Destacada" in featured_on(client, "/es/?after")
        assert spy.call_count == 3


# A story told in the other language.

TRANSLATION_ES = "Una enfermera cuenta cómo el miedo vació su sala de espera."


@pytest.fixture
def english_story(db):
    return make_published(
        title="The waiting room",
        summary="A nurse on how fear emptied her waiting room.",
        summary_translation=TRANSLATION_ES,
    )


def test_a_story_in_the_other_language_opens_with_a_notice_and_the_labelled_translation(
    client, english_story
):
    page = client.get(f"/es/stories/{english_story.slug}/").content.decode()
    assert "Historia en inglés" in page
    assert 'class="other-language-notice" lang="es"' in page
    assert "Resumen traducido por el archivo" in page
    assert TRANSLATION_ES in page
    # The notice comes after the story's header and before its own summary.
    header_ends = page.index("</header>", page.index('class="story-header"'))
    assert header_ends < page.index("Historia en inglés") < page.index('<p class="lead">')


def test_a_story_in_the_pages_language_has_no_notice_and_no_translation(client, english_story):
    page = client.get(f"/stories/{english_story.slug}/").content.decode()
    # Shown to readers: the head's structured data names the translation as a translation.
    shown = page.split("</head>", 1)[1]
    assert "other-language-notice" not in shown
    assert TRANSLATION_ES not in shown


def test_without_a_translation_the_notice_stands_alone(client):
    story = make_published(title="La llamada", language="es", summary="Llamé a la policía.")
    page = client.get(f"/stories/{story.slug}/").content.decode()
    assert "Story in Spanish" in page
    assert "translated by the archive" not in page


def test_the_shield_reads_the_translation_and_a_redaction_reaches_it(moderator, english_story):
    english_story.summary_translation = f"Llámenle al {PHONE}."
    english_story.save()
    (finding,) = [f for f in english_story.shield_findings() if f.field == "summary_translation"]
    assert finding.kind == "phone"
    english_story.redact([finding.key], by=moderator)
    english_story.refresh_from_db()
    assert PHONE not in english_story.summary_translation


def test_erasure_empties_the_translation():
    assert privacy.erased_values(Story, gone=True)["summary_translation"] == ""
    assert privacy.fields_of(Story)["summary_translation"].shielded


def test_moderators_write_the_translation_in_the_story_admin(moderator_client, english_story):
    page = moderator_client.get(f"/admin/stories/story/{english_story.pk}/change/")
    assert b'name="summary_translation"' in page.content
    admin_edit(moderator_client, english_story, summary_translation="Una enfermera y el miedo.")
    english_story.refresh_from_db()
    assert english_story.summary_translation == "Una enfermera y el miedo."


def test_the_admin_shows_a_phone_number_in_the_translation(moderator_client, english_story):
    Story.objects.filter(pk=english_story.pk).update(summary_translation=f"Llame al {PHONE}.")
    page = moderator_client.get(f"/admin/stories/story/{english_story.pk}/change/")
    shield = page.content.decode()
    assert "Summary translated by the archive" in shield
    assert PHONE in shield


# The glossary in the admin.


def test_moderators_extend_the_glossary_in_the_admin(moderator_client):
    listing = moderator_client.get("/admin/stories/glossaryterm/").content.decode()
    assert "familia" in listing and "redada" in listing
    response = moderator_client.post(
        "/admin/stories/glossaryterm/add/", {"english": "lonely", "spanish": "soledad"}
    )
    assert response.status_code == 302
    term = GlossaryTerm.objects.get(english="lonely")
    assert term.get_absolute_url() == "/search/?q=lonely"
    assert moderator_client.post(f"/admin/stories/glossaryterm/{term.pk}/delete/", {"post": "yes"})
    assert not GlossaryTerm.objects.filter(english="lonely").exists()


# The search page.


@pytest.fixture
def kitchens(db):
    make_published(title="La cocina", language="es", body="Mi familia cocinaba. " * 20)
    make_published(title="The kitchen", body="My family cooked on Sundays. " * 20)


def result_titles(response):
    return sorted(listed_titles(response))


def test_the_search_page_says_what_the_glossary_added_and_marks_the_other_language(
    client, kitchens
):
    response = client.get("/es/search/", {"q": "familia"})
    assert result_titles(response) == ["La cocina", "The kitchen"]
    page = response.content.decode()
    assert "También se buscó, con el glosario del archivo:" in page
    assert '<span class="searched-word" lang="en">family</span>' in page
    assert "?q=familia&amp;exact=on" in page
    # Only the English story, told in the other language than the page's, is marked.
    assert page.count('class="result-language"') == 1
    assert "Inglés</p>" in page


def test_the_search_page_searches_only_the_words_typed_on_request(client, kitchens):
    response = client.get("/search/", {"q": "family", "exact": "on"})
    assert result_titles(response) == ["The kitchen"]
    page = response.content.decode()
    assert "Only the words you typed were searched." in page
    assert "Also searched" not in page


def test_the_language_filter_keeps_one_language(client, kitchens):
    response = client.get("/search/", {"q": "familia", "language": "en"})
    assert result_titles(response) == ["The kitchen"]
    facet = response.content.decode()
    assert "Language the story is told in" in facet


@pytest.mark.parametrize(
    "query",
    ['familia OR "', "familia" * 60, "-familia", "* or *", "familia\u202e\ue000 niños*", "OR"],
)
def test_hostile_queries_through_the_glossary_never_fail(client, kitchens, query):
    for url in ("/search/", "/es/search/"):
        assert client.get(url, {"q": query}).status_code == 200
