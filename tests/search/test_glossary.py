"""
Search across languages through the archive's bilingual glossary (GlossaryTerm). Like the rest
of tests/search/, every test here runs on the engine of the database in use: SQLite's FTS5 by
default, PostgreSQL's full-text search when DATABASE_URL names PostgreSQL.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stories.models import GlossaryTerm, Story
from stories.search import results
from stories.search.text import Glossary, Query

from ..factories import make_published

FILLER = "We talked about the weather, the buses and the price of bread. "
RELLENO = "Hablamos del clima, de los camiones y del precio del pan. "

GLOSSARY = Glossary(
    [
        (["family"], ["familia"]),
        (["police"], ["policía"]),
        (["raid"], ["redada"]),
        (["court"], ["corte", "tribunal"]),
        (["children", "child"], ["niños"]),
    ]
)


def also(query, glossary=GLOSSARY):
    return [spelling for _language, spelling in Query.of(query, glossary).also_searched]


# Reading a query through the glossary, without a database.


def test_a_glossary_word_is_searched_with_its_counterpart_in_the_other_language():
    assert also("familia") == ["family"]
    assert also("family") == ["familia"]
    assert also("courts") == ["corte", "tribunal"]
    assert also("niños miedo") == ["children", "child"]
    # "niño" stems to "nin", too short to be sure of: only a spelling written down matches.
    assert also("niño") == []
    (term,) = Query.of("familia", GLOSSARY).terms
    # Each counterpart is searched by its own language's reading, beside the word as typed.
    assert term.forms("en") == [("familia",), ("family",)]
    assert term.forms("es") == [("familia",)]


def test_any_form_of_a_glossary_word_is_found_in_its_own_language_only():
    assert also("familias") == ["family"]
    assert also("POLICÍAS") == ["police"]
    # English "policy" stems like Spanish "policía", but is compared only with English spellings.
    assert also("policy") == []
    # Snowball cuts "redada" to "red": a stem that short matches only the spelling itself.
    assert also("red") == []
    assert also("redes") == []
    assert also("redada") == ["raid"]


def test_a_left_out_word_and_a_query_read_as_typed_are_not_translated():
    assert also("police -familia") == ["policía"]
    assert also("familia", glossary=None) == []
    assert Query.of("familia").terms == Query.of("familia", Glossary()).terms


def test_hostile_queries_read_through_the_glossary_ask_for_nothing_or_stay_words():
    for query in ['OR * "', "-", '""', "\u202e\ue000", "or or or", "familia" * 100]:
        assert Query.of(query, GLOSSARY).also_searched == ()
    assert also('"la familia" OR niños* -"') == ["family", "children", "child"]


# The glossary in the database, searched on the engine in use.


@pytest.mark.django_db
def test_a_new_install_has_the_seeded_glossary():
    pairs = set(GlossaryTerm.objects.values_list("english", "spanish"))
    for pair in [("family", "familia"), ("police", "policía"), ("raid", "redada")]:
        assert pair in pairs
    assert ("court", "corte, tribunal") in pairs
    assert len(pairs) >= 14


@pytest.fixture
def both_languages(db):
    return {
        "familia": make_published(
            title="La cocina", language="es", body="Mi familia cocinaba los domingos. " + RELLENO
        ),
        "family": make_published(
            title="The kitchen", body="My family cooked on Sundays. " + FILLER
        ),
        "policy": make_published(title="The vote", body="The sanctuary policy passed. " + FILLER),
        "police": make_published(title="The call", body="I called the police at last. " + FILLER),
        "policía": make_published(
            title="La llamada", language="es", body="Llamé a la policía. " + RELLENO
        ),
    }


def titles(query, *, across_languages=True, stories=None):
    stories = Story.objects.published() if stories is None else stories
    asked = results.asked(query, across_languages=across_languages)
    return sorted(story.title for story in results.search(stories, asked))


def test_familia_and_family_each_find_the_stories_of_both_languages(both_languages):
    assert titles("familia") == ["La cocina", "The kitchen"]
    assert titles("family") == ["La cocina", "The kitchen"]
    assert titles("familias") == ["La cocina", "The kitchen"]
    # Read as typed, each finds its own language's story only.
    assert titles("familia", across_languages=False) == ["La cocina"]
    assert titles("family", across_languages=False) == ["The kitchen"]


def test_the_glossary_never_brings_back_a_word_that_only_stems_alike(both_languages):
    # "policía" reaches English "police", never the sanctuary "policy".
    assert titles("policía") == ["La llamada", "The call"]
    assert titles("police") == ["La llamada", "The call"]


def test_find_counts_and_divides_the_matches_of_both_languages(both_languages):
    asked = results.asked("familia")
    findings = results.find(Story.objects.published(), asked, 0, 20, facets=True)
    assert findings.total == 2
    assert {language for _perspective, language in findings.pairs} == {"en", "es"}
    # Narrowed to one language (the search page's filter), only that one is left.
    english = Story.objects.published().filter(language="en")
    assert results.find(english, asked, 0, 20).total == 1


def test_snippets_mark_the_counterpart_in_the_other_languages_story(both_languages):
    asked = results.asked("familia")
    ids = [both_languages["family"].pk, both_languages["familia"].pk]
    snippets = {story.title: str(story.snippet) for story in results.with_snippets(ids, asked)}
    assert "<mark>family</mark>" in snippets["The kitchen"]
    assert "<mark>familia</mark>" in snippets["La cocina"]


def test_phrases_alternatives_and_left_out_words_keep_their_meaning(both_languages):
    make_published(title="Los domingos", language="es", body="Mi familia y la policía. " + RELLENO)
    assert titles("familia -policía") == ["La cocina", "The kitchen"]
    assert titles('"mi familia"') == ["La cocina", "Los domingos", "The kitchen"]
    assert titles("familia or policía") == [
        "La cocina",
        "La llamada",
        "Los domingos",
        "The call",
        "The kitchen",
    ]
    assert titles("familia policía") == ["Los domingos"]


def test_a_term_moderators_add_is_searched_at_once(both_languages, page_cache):
    make_published(title="Alone", body="I was lonely the whole first year. " + FILLER)
    assert titles("soledad") == []
    GlossaryTerm.objects.create(english="lonely, loneliness", spanish="soledad")
    # A glossary term saved renews the archive's generation, and so the glossary read once for it.
    assert titles("soledad") == ["Alone"]


def test_the_glossary_is_read_once_per_generation(both_languages, page_cache):
    results.asked("familia")
    with CaptureQueriesContext(connection) as queries:
        results.asked("family")
    assert not [q for q in queries if "glossaryterm" in q["sql"]]
