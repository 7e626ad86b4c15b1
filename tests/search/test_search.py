"""
Full-text search. Every test here runs on the engine of the database in use:
SQLite's FTS5 by default, PostgreSQL's full-text search when DATABASE_URL
names PostgreSQL (CI runs the suite on both).
"""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from stories.models import Perspective, Story, Theme, facets_of
from stories.search import backends, results, sqlite, text
from stories.search import index as search_index

from ..factories import admin_edit, make_published, make_story

pytestmark = pytest.mark.django_db

FILLER = "We talked about the weather, the buses and the price of bread. "


def found(query, stories=None):
    stories = Story.objects.published() if stories is None else stories
    return [story.title for story in results.search(stories, query)]


def test_english_words_are_found_in_every_form():
    make_published(title="Deported", body="My brother was deported in 2017. " + FILLER)
    make_published(title="Hearing", body="The deportation hearing lasted all day. " + FILLER)
    make_published(title="Unrelated", body=FILLER * 2)
    assert sorted(found("deport")) == ["Deported", "Hearing"]
    assert sorted(found("deportations")) == ["Deported", "Hearing"]
    assert sorted(found("DEPORTED")) == ["Deported", "Hearing"]


def test_spanish_words_are_found_in_every_form():
    make_published(
        title="La cocina", language="es", body="Mi familia cocinaba los domingos. " + FILLER
    )
    make_published(
        title="Sin miedo", language="es", body="Perdimos los miedos poco a poco. " + FILLER
    )
    assert found("familias") == ["La cocina"]
    assert found("miedo") == ["Sin miedo"]


def test_accents_do_not_matter():
    make_published(title="El agente", language="es", body="La policía llegó a las tres. " + FILLER)
    make_published(title="Sin tilde", language="es", body="Llamé a la policia. " + FILLER)
    assert sorted(found("policia")) == ["El agente", "Sin tilde"]
    assert sorted(found("POLICÍA")) == ["El agente", "Sin tilde"]


def test_words_in_titles_rank_above_words_in_bodies():
    make_published(title="What my neighbours said", body="A detainer came. " + FILLER * 3)
    make_published(title="The detainer request", body=FILLER * 3)
    make_published(title="Nothing here", body=FILLER * 3)
    ranked = list(results.search(Story.objects.published(), "detainer"))
    assert [story.title for story in ranked] == ["The detainer request", "What my neighbours said"]
    assert ranked[0].search_rank > ranked[1].search_rank


def test_summary_descriptor_place_and_theme_names_are_searched():
    make_published(title="Summary", summary="About a curfew.", body=FILLER)
    make_published(title="Descriptor", narrator_descriptor="crossing guard", body=FILLER)
    make_published(title="Place", place="Pacoima", body=FILLER)
    make_published(title="Theme", themes=["legal-aid"], body=FILLER)
    make_published(title="Tema", themes=["legal-aid"], body=FILLER, language="es")
    assert found("curfew") == ["Summary"]
    assert found("guard") == ["Descriptor"]
    assert found("pacoima") == ["Place"]
    # Each story carries its themes' names in its own language.
    assert found("legal aid") == ["Theme"]
    assert found(Theme.objects.get(slug="legal-aid").name_es) == ["Tema"]


def test_each_story_is_searched_in_its_own_language():
    # Snowball stems English "policy" and Spanish "policía" alike ("polici").
    make_published(title="Policy", body="The sanctuary policy was debated. " + FILLER)
    make_published(title="Policía", language="es", body="La policía llegó tarde. " + FILLER)
    assert found("policia") == ["Policía"]
    assert found("policy") == ["Policy"]
    assert sorted(found("policy or policía")) == ["Policy", "Policía"]


def test_phrases_or_and_exclusion():
    make_published(title="Council", body="The city council voted at midnight. " + FILLER)
    make_published(title="Apart", body="The council met; the city slept. " + FILLER)
    make_published(title="Sheriff", body="The police and the sheriff disagreed. " + FILLER)
    make_published(title="Fear", body="Fear kept us home. " + FILLER)
    assert found('"city council"') == ["Council"]
    assert sorted(found("city council")) == ["Apart", "Council"]
    assert found("police -sheriff") == []
    assert sorted(found("midnight or fear")) == ["Council", "Fear"]


HOSTILE_QUERIES = [
    '"',
    '""',
    "AND",
    "OR",
    "NOT",
    "NEAR(",
    "NEAR(a b",
    "-",
    "--",
    "*",
    "a*",
    "'",
    "title:deport",
    "^deport",
    "(deport",
    "deport)",
    "x" * 2000,
    "deport " * 400,
    "!!! ??? ...",
    "😀🇲🇽",
    "'; DROP TABLE stories_story; --",
    "1 OR 1=1",
    "\\",
    "%_%",
    "\u202edeport\u202c",
    "deport\x00ed",
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_queries_get_an_ordinary_page(client, query):
    make_published(title="Deported", body="My brother was deported. " + FILLER)
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert response.context["paginator"].count <= 1


def test_the_query_is_shown_back_escaped(client):
    hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    html = client.get("/search/", {"q": hostile}).content.decode()
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'value="&quot;&gt;&lt;script&gt;' in html


def test_long_queries_are_cut_not_refused(client):
    make_published(title="Deported", body="My brother was deported. " + FILLER)
    response = client.get("/search/", {"q": "deported " + "zzz " * 600})
    assert response.status_code == 200
    assert len(response.context["query"]) == text.MAX_QUERY_LENGTH


def test_only_visible_stories_are_found(every_state_archive):
    # Every story of the archive carries the theme "Public safety", whose name the index holds.
    visible, embargoed = every_state_archive["visible"], every_state_archive["embargoed"]
    assert found("public safety") == ["Visible story"]
    # The index holds the approved stories, one waiting for its embargo to lift too; no other.
    indexed = results.search(Story.objects.all(), "public safety").values_list("pk", flat=True)
    assert set(indexed) == {visible.pk, embargoed.pk}


def test_embargoed_story_is_found_once_its_time_comes(moderator):
    story = make_story(
        title="Later",
        body="albatross " + FILLER,
        embargo_until=timezone.now() + datetime.timedelta(days=3),
    )
    story.approve(by=moderator)
    assert found("albatross") == []
    Story.objects.filter(pk=story.pk).update(published_at=timezone.now())
    assert found("albatross") == ["Later"]


def test_index_follows_edits_in_the_admin(moderator_client):
    story = make_published(title="Before", body="pelican " + FILLER)
    admin_edit(moderator_client, story, title="After", body="cormorant " + FILLER)
    assert found("pelican") == []
    assert found("cormorant") == ["After"]


def test_index_follows_retagging_in_the_admin(moderator_client):
    story = make_published(title="Tagged", body=FILLER, themes=["legal-aid"])
    admin_edit(moderator_client, story, themes=[Theme.objects.get(slug="economy-and-work").pk])
    assert found("legal aid") == []
    assert found("economy") == ["Tagged"]


def test_index_follows_deletion():
    # The admin refuses to delete a story with a moderation history (the audit
    # trail cannot be deleted), so deletion happens in code: both roads.
    story = make_published(title="Gone", body="heron " + FILLER)
    others = [make_published(title=f"Also gone {n}", body="heron " + FILLER) for n in range(2)]
    story.delete()
    Story.objects.filter(pk__in=[other.pk for other in others]).delete()
    assert not Story.objects.exists()
    assert found("heron") == []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM stories_search")
            assert cursor.fetchone()[0] == 0


def test_index_follows_theme_renames_and_merges(moderator_client):
    make_published(title="Welcome", body=FILLER, themes=["history-of-welcome"])
    make_published(title="Acogida", body=FILLER, themes=["history-of-welcome"], language="es")
    theme = Theme.objects.get(slug="history-of-welcome")
    response = moderator_client.post(
        f"/admin/stories/theme/{theme.pk}/change/",
        {
            "name": "Sanctuary heritage",
            "slug": theme.slug,
            "description": theme.description,
            "name_es": "Herencia santuario",
            "description_es": theme.description_es,
            "pattern": theme.pattern,
        },
    )
    assert response.status_code == 302
    assert found("heritage") == ["Welcome"]
    assert found("herencia") == ["Acogida"]
    assert found("welcome") == ["Welcome"]  # its own title

    theme.refresh_from_db()
    theme.merge_into(Theme.objects.get(slug="legal-aid"))
    assert found("heritage") == []
    assert found("herencia") == []
    assert found("legal aid") == ["Welcome"]


def test_rebuild_command_indexes_every_approved_story():
    make_published(title="Indexed", body="kestrel " + FILLER)
    make_story(title="Pending", body="kestrel " + FILLER)
    backends.engine_for("default").clear(connection)
    assert found("kestrel") == []
    call_command("rebuild_search_index", verbosity=0)
    assert found("kestrel") == ["Indexed"]


@pytest.mark.parametrize(
    "query", ["lantern", "lantern -lamp", '"old lantern"', "lamp or lantern", "the", "!!!"]
)
def test_matching_finds_what_search_finds_without_ranking(query):
    make_published(title="One", body="An old lantern. " + FILLER)
    make_published(title="Two", body="A lantern and a lamp. " + FILLER)
    make_published(title="Three", body="A lamp. " + FILLER)
    make_story(title="Pending", body="An old lantern. " + FILLER)
    searched = set(results.search(Story.objects.published(), query).values_list("title", flat=True))
    matched = set(
        results.matching(Story.objects.published(), query).values_list("title", flat=True)
    )
    assert matched == searched


def test_facets_count_the_matching_stories():
    make_published(
        title="One", body="lantern " + FILLER, perspective="immigrants", themes=["public-safety"]
    )
    make_published(
        title="Two",
        body="lantern " + FILLER,
        perspective="critics",
        language="es",
        themes=["public-safety", "legal-aid"],
    )
    make_published(title="Three", body=FILLER, perspective="critics", themes=["legal-aid"])
    make_story(title="Pending", body="lantern " + FILLER, perspective="advocates")

    findings = results.find(Story.objects.published(), "lantern", 0, 20, facets=True)
    facets = facets_of(
        findings.pairs, findings.themes, Perspective.objects.all(), Theme.objects.all()
    )
    assert facets["total"] == findings.total == 2
    assert {p.slug: p.matching_count for p in facets["perspectives"]} == {
        "immigrants": 1,
        "critics": 1,
    }
    assert {t.slug: t.matching_count for t in facets["themes"]} == {
        "public-safety": 2,
        "legal-aid": 1,
    }
    assert {f.slug: f.matching_count for f in facets["languages"]} == {"en": 1, "es": 1}
    # The same as counting the matches without ranking them, and as find() without facets.
    matches = results.matching(Story.objects.published(), "lantern")
    assert findings.pairs == matches.counts_by_perspective_and_language()
    assert findings.themes == Theme.objects.counts_among(matches)
    assert results.find(Story.objects.published(), "lantern", 0, 20).total == 2
    assert findings.ids == [s.pk for s in results.search(Story.objects.published(), "lantern")]


def test_facets_follow_the_filters_too(client):
    make_published(title="One", body="lantern " + FILLER, perspective="immigrants")
    make_published(title="Two", body="lantern " + FILLER, perspective="critics")
    response = client.get("/search/", {"q": "lantern", "perspective": "critics"})
    assert [s.title for s in response.context["stories"]] == ["Two"]
    assert [p.slug for p in response.context["facets"]["perspectives"]] == ["critics"]


def test_with_results_to_read_the_filters_fold_away_unless_one_is_chosen(client):
    def filters(params):
        html = client.get("/search/", params).content.decode()
        return html.split('class="filters search-form"')[1].split("</form>")[0]

    # Nothing searched yet: the filters are the page.
    assert '<details class="filter-fold"' not in filters({})
    # Words searched for: the results come first, the filters one tap away.
    assert '<details class="filter-fold">' in filters({"q": "lantern"})
    assert "fold away" not in filters({"q": "lantern"})  # the template's comment stays in it
    # A filter chosen stays in sight, to be seen and undone.
    for chosen in ({"perspective": "critics"}, {"language": "es"}, {"recording": "on"}):
        assert '<details class="filter-fold" open>' in filters({"q": "lantern", **chosen})


def test_search_page_shows_ranked_highlighted_results_with_facets(client):
    make_published(title="Deportation Day", body=FILLER + "Then the deportation order came. ")
    make_published(title="Other", body="The deportation of my uncle. " + FILLER)
    response = client.get("/search/", {"q": "deportation"})
    html = response.content.decode()
    titles = [story.title for story in response.context["stories"]]
    assert titles == ["Deportation Day", "Other"]
    assert "<mark>deportation</mark>" in html
    assert "2 stories match “deportation”" in html
    assert '<a href="?q=deportation&amp;perspective=immigrants">' in html


def test_snippets_escape_narrator_text(client):
    make_published(
        title="Injected",
        body='Our deportation <script>alert("x")</script> <img src=x onerror=alert(1)> '
        "hearing & the judge's <b>ruling</b>. " + FILLER,
    )
    response = client.get("/search/", {"q": "deportation"})
    html = response.content.decode()
    snippet = str(response.context["stories"][0].snippet)
    assert "<mark>deportation</mark>" in snippet
    assert "&lt;script&gt;" in snippet
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<b>ruling" not in html


def test_highlight_escapes_first_and_only_pairs_become_markup():
    marked = f"a {text.MARK_START}<b>{text.MARK_END} {text.MARK_START}open <i>"
    assert text.highlight(marked) == "a <mark>&lt;b&gt;</mark> open &lt;i&gt;"


def test_empty_search_explains_and_shows_facets_of_the_whole_archive(client):
    make_published(title="One", perspective="critics", themes=["legal-aid"])
    make_published(title="Two", perspective="immigrants", language="es")
    make_story(title="Pending", perspective="advocates")
    response = client.get("/search/")
    html = response.content.decode()
    assert "How to search" in html
    assert {p.slug: p.matching_count for p in response.context["facets"]["perspectives"]} == {
        "immigrants": 1,
        "critics": 1,
    }
    assert response.context["paginator"].count == 2


def test_search_combines_with_filters_and_pages(client):
    for n in range(25):
        make_published(
            title=f"Lantern {n}",
            body="lantern " + FILLER,
            language="es" if n % 5 == 0 else "en",
        )
    response = client.get("/search/", {"q": "lantern", "language": "en"})
    assert response.context["paginator"].count == 20
    assert response.context["page_obj"].has_next() is False
    first = client.get("/search/", {"q": "lantern"})
    second = client.get("/search/", {"q": "lantern", "page": 2})
    assert first.context["paginator"].count == 25
    page_one = {s.pk for s in first.context["stories"]}
    page_two = {s.pk for s in second.context["stories"]}
    assert len(page_one) == 20 and len(page_two) == 5 and not page_one & page_two
    assert 'href="?q=lantern&amp;page=2"' in first.content.decode()


def test_pages_read_ids_first_come_in_the_ranked_order(client):
    for n in range(45):
        # Ranks differ: the word is in the title of some, in the body of all, more or less often.
        make_published(
            title=f"Lantern {n}" if n % 3 == 0 else f"Story {n}",
            body=("lantern " * (1 + n % 4)) + FILLER,
        )
    ranked = list(results.search(Story.objects.published(), "lantern").for_listing())
    for number, (bottom, top) in enumerate([(0, 20), (20, 40), (40, 45)], start=1):
        page = client.get("/search/", {"q": "lantern", "page": number}).context["stories"]
        assert [story.pk for story in page] == [story.pk for story in ranked[bottom:top]]
        assert all(story.snippet for story in page)
    middle = results.find(Story.objects.published(), "lantern", 5, 9)
    assert middle.total == 45
    assert middle.ids == [s.pk for s in ranked[5:9]]


def test_hidden_stories_among_the_best_matches_are_skipped_and_not_counted(moderator):
    # SQLite ranks the best matches in its index alone, where approved stories
    # not yet public are too; they must drop out of the page and the count.
    embargoed = make_story(
        title="Lantern lantern lantern",
        body="lantern " * 5 + FILLER,
        embargo_until=timezone.now() + datetime.timedelta(days=3),
    )
    embargoed.approve(by=moderator)
    visible = [make_published(title=f"Story {n}", body="lantern " + FILLER) for n in range(3)]
    for facets in (True, False):
        findings = results.find(Story.objects.published(), "lantern", 0, 2, facets=facets)
        assert findings.total == 3
        assert embargoed.pk not in findings.ids and len(findings.ids) == 2
        assert set(findings.ids) < {story.pk for story in visible}


def test_only_the_whole_public_archive_is_counted_as_such():
    # SQLite counts matches among every public story in its index alone;
    # any narrower set must be counted story by story.
    make_published(title="Lantern", body="lantern " + FILLER, perspective="critics")
    make_published(title="Other lantern", body="lantern " + FILLER)
    assert Story.objects.published().is_every_public_story
    narrowed = [
        Story.objects.published().filter(perspective__slug="critics"),
        Story.objects.filter(perspective__slug="critics").published(),
        Story.objects.published().exclude(title="Other lantern"),
    ]
    for stories in narrowed:
        assert not stories.is_every_public_story
        assert results.find(stories, "lantern", 0, 20).total == 1


def test_filters_that_keep_only_weak_matches_still_page_in_rank_order(monkeypatch):
    # With room for only two candidates beyond a page, the filter below keeps
    # none of the best matches: SQLite must rank every match through the join.
    monkeypatch.setattr(sqlite, "FTS5_FIRST_CANDIDATES", 2)
    for n in range(8):
        make_published(title=f"Lantern {n}", body="lantern lantern " + FILLER)
    for n in range(5):
        make_published(
            title=f"Story {n}", body="lantern " + FILLER * (n + 1), perspective="critics"
        )
    critics = Story.objects.published().filter(perspective__slug="critics")
    ranked = [story.pk for story in results.search(critics, "lantern")]
    assert len(ranked) == 5
    for bottom, top in [(0, 2), (2, 4), (4, 6)]:
        findings = results.find(critics, "lantern", bottom, top)
        assert findings.ids == ranked[bottom:top]
        assert findings.total == 5


def test_a_page_past_the_last_is_not_found(client):
    make_published(title="Lantern", body="lantern " + FILLER)
    assert client.get("/search/", {"q": "lantern", "page": 2}).status_code == 404
    assert client.get("/search/", {"q": "lantern", "page": "two"}).status_code == 404
    last = client.get("/search/", {"q": "lantern", "page": "last"})
    assert [story.title for story in last.context["stories"]] == ["Lantern"]


def test_spanish_search_page(client):
    make_published(title="La cocina", language="es", body="Mi familia cocinaba. " + FILLER)
    response = client.get("/es/search/", {"q": "familias"})
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "Buscar en el archivo" in html
    assert "1 historia coincide con “familias”" in html


def test_every_page_has_a_search_box_in_its_header(client):
    story = make_published(title="A story")
    for url in ["/", "/stories/", story.get_absolute_url(), "/themes/", "/share/", "/es/"]:
        html = client.get(url).content.decode()
        assert 'role="search"' in html and 'name="q"' in html, url


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's query plan")
def test_postgresql_search_condition_is_answered_by_the_gin_index():
    # On a test-sized table the planner rightly prefers other plans; what this
    # proves is that the search condition is one the GIN index can answer (no
    # cast or configuration mismatch). bench/ shows the plan at 100,000 stories.
    make_published(title="Indexed", body="kestrel " + FILLER)
    with connection.cursor() as cursor:
        # The table as this test leaves it, not as earlier tests did: their rows, rolled back,
        # are still in the GIN indexes' pending lists (which make an index look dear to the
        # planner until a vacuum) and in the statistics autovacuum took.
        for vector in ("said", "translation"):
            for language in ("en", "es"):
                cursor.execute(
                    "SELECT gin_clean_pending_list(%s::regclass)",
                    [f"story_{vector}_search_{language}_idx"],
                )
        cursor.execute("ANALYZE stories_story")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = results.search(Story.objects.all(), "kestrel").explain()
    # What a story says and its translations: one partial index per vector and story language.
    for vector in ("said", "translation"):
        for language in ("en", "es"):
            assert f"Bitmap Index Scan on story_{vector}_search_{language}_idx" in plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
def test_sqlite_runs_the_match_once_and_reads_visibility_from_the_index():
    # What makes SQLite search fast (SearchEntry, migration 0007): the FTS5
    # table is scanned first, once, and each match's visibility is read from
    # story_visible_idx; counting matches runs the MATCH once, as a list.
    for n in range(30):
        make_published(title=f"Story {n}", body="kestrel " + FILLER, perspective="critics")
    search_index.optimize()
    stories = Story.objects.published().filter(perspective__slug="critics", language="en")
    plan = results.search(stories, "kestrel").explain()
    first, second = plan.splitlines()[:2]
    assert "SCAN stories_search VIRTUAL TABLE" in first, plan
    assert "story_visible_idx" in second, plan
    counting = results.matching(stories, "kestrel").explain()
    assert "LIST SUBQUERY" in counting and "CORRELATED" not in counting, counting
