"""
What a search found, kept under the archive's generation (stories/pages/searching.py): asked
again, from any address or language, a search is not run again; any change readers can see
renews what was kept at once; and what a reader types never reaches a key as typed.

The page cache stays off here: these are the pages it does not hold.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stories.models import Story
from stories.pages import searching
from stories.search import results

from ..factories import make_published, make_story

pytestmark = pytest.mark.django_db

FILLER = "We talked about the weather, the buses and the price of bread. "


@pytest.fixture(autouse=True)
def kept_for_a_generation(settings):
    """Counts, and so searches, kept; the page cache off."""
    settings.COUNTS_CACHE_SECONDS = 60


@pytest.fixture
def engine_calls(monkeypatch):
    """Each call the search page makes to read the index: ("find", facets) or ("snippets",)."""
    calls = []
    find, with_snippets = results.find, results.with_snippets

    def counted_find(*args, facets=False, **kwargs):
        calls.append(("find", facets))
        return find(*args, facets=facets, **kwargs)

    def counted_snippets(*args, **kwargs):
        calls.append(("snippets",))
        return with_snippets(*args, **kwargs)

    monkeypatch.setattr(results, "find", counted_find)
    monkeypatch.setattr(results, "with_snippets", counted_snippets)
    return calls


def archive_queries_for(client, url):
    """The answer, and how many queries it made outside the cache's own table."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    of_the_cache = ("perspectives_cache", "perspectives_pages", "SAVEPOINT")
    return response, sum(not any(t in q["sql"] for t in of_the_cache) for q in queries)


def titles_on(response):
    html = response.content.decode()
    return [
        part.split("</a>")[0].split(">")[-1] for part in html.split('class="story-card-title"')[1:]
    ]


def lanterns(count=3, **fields):
    return [
        make_published(title=f"Lantern {n}", body=f"The lantern {n}. " + FILLER, **fields)
        for n in range(count)
    ]


def test_a_repeated_search_is_answered_from_what_was_kept(client, engine_calls):
    lanterns()
    first, cold = archive_queries_for(client, "/search/?q=lantern")
    assert engine_calls == [("find", True), ("snippets",)]
    again, warm = archive_queries_for(client, "/search/?q=lantern")
    assert again.content == first.content
    assert cold > 0 and warm == 0
    assert engine_calls == [("find", True), ("snippets",)]  # not asked again


def test_the_same_search_from_another_address_or_language_is_not_run_again(client, engine_calls):
    lanterns()
    english = client.get("/search/?q=lantern")
    for address in [
        "/es/search/?q=lantern",
        "/search/?q=lantern&page=1",
        "/search/?q=lantern&zz=1",
    ]:
        response, queries = archive_queries_for(client, address)
        assert sorted(titles_on(response)) == sorted(titles_on(english)), address
        # The kept excerpts are still HTML, the matched word marked, the narrator's text escaped.
        assert "The <mark>lantern</mark> 0." in response.content.decode(), address
        # Its part rendered anew, from the stories read again (and the form's menus).
        assert 0 < queries <= 5, address
    assert engine_calls == [("find", True), ("snippets",)]
    assert (
        "3 historias coinciden con “lantern”"
        in client.get("/es/search/?q=lantern").content.decode()
    )


def test_another_page_or_order_reuses_the_kept_facets(client, engine_calls):
    lanterns(25)
    client.get("/search/?q=lantern")
    engine_calls.clear()
    second = client.get("/search/?q=lantern&page=2")
    assert len(titles_on(second)) == 5 and "Page 2 of 2" in second.content.decode()
    assert engine_calls == [("find", False), ("snippets",)]  # the page, not the facets
    engine_calls.clear()
    client.get("/search/?q=lantern&sort=oldest")
    assert engine_calls == [("snippets",)]


def test_a_page_past_the_last_is_a_404_without_searching_again(client, engine_calls):
    lanterns()
    client.get("/search/?q=lantern")
    engine_calls.clear()
    for page in ["2", "99", "9223372036854775808", "two", "-1"]:
        assert client.get(f"/search/?q=lantern&page={page}").status_code == 404
    assert engine_calls == []
    assert titles_on(client.get("/search/?q=lantern&page=last"))


@pytest.mark.parametrize("change", ["withdraw", "return_to_review", "redact", "erase", "approve"])
def test_a_change_readers_can_see_renews_what_was_kept_at_once(client, moderator, change):
    story = make_published(
        title="Lantern kept",
        # A licence plate: the shield finds it, yet it does not hold a story back.
        body="The lantern by their van, plate 7ABC123. " + FILLER,
        perspective="critics",
    )
    make_published(title="Lantern other", body="The lantern again. " + FILLER)
    pending = make_story(title="Lantern pending", body="The lantern waiting. " + FILLER)
    addresses = ["/search/?q=lantern", "/es/search/?q=lantern", "/search/?q=lantern&sort=newest"]
    for address in [*addresses, "/search/?q=7ABC123", "/search/"]:
        client.get(address)  # kept

    if change == "withdraw":
        story.withdraw()
    elif change == "return_to_review":
        story.return_to_review(by=moderator)
    elif change == "redact":
        story.redact([finding.key for finding in story.shield_findings()], by=moderator)
    elif change == "erase":
        story.withdraw()
        story.erase()
    elif change == "approve":
        pending.approve(by=moderator)

    for address in addresses:
        html = client.get(address).content.decode()
        assert "Lantern other" in html, address
        if change == "redact":
            assert "Lantern kept" in html and "7ABC123" not in html, address
        elif change == "approve":
            assert "Lantern kept" in html and "Lantern pending" in html, address
        else:
            facets = html.split('<aside class="facets"')[1].split("</aside>")[0]
            assert "Lantern kept" not in html and "critics" not in facets, address
    shown = {"approve": "3 stories", "redact": "2 stories"}.get(change, "1 story")
    assert shown in client.get("/search/").content.decode()


def test_kept_results_differ_by_language_filters_order_and_page(client):
    for n in range(22):
        make_published(
            title=f"Lantern {n:02}",
            body="lantern " * (1 + n % 3) + FILLER,
            language="es" if n % 2 else "en",
            perspective="critics" if n % 3 == 0 else "immigrants",
        )
    addresses = [
        "/search/?q=lantern",
        "/search/?q=lantern&page=2",
        "/search/?q=lantern&language=es",
        "/search/?q=lantern&perspective=critics",
        "/search/?q=lantern&sort=oldest",
        "/search/?q=lantern&sort=newest",
        "/search/?q=lantern&sort=newest&page=2",
        "/es/search/?q=lantern&language=en",
        "/search/",
        "/search/?language=en&sort=oldest",
    ]
    seen = {address: titles_on(client.get(address)) for address in addresses}
    expected = {
        "/search/?q=lantern&page=2": 2,
        "/search/?q=lantern&language=es": 11,
        "/search/?q=lantern&perspective=critics": 8,
        "/es/search/?q=lantern&language=en": 11,
    }
    for address, count in expected.items():
        assert len(seen[address]) == count, address
    assert seen["/search/?q=lantern&sort=oldest"] == [f"Lantern {n:02}" for n in range(20)]
    assert seen["/search/?q=lantern&sort=newest"] == [f"Lantern {n:02}" for n in range(21, 1, -1)]
    assert seen["/search/?q=lantern&sort=newest&page=2"] == ["Lantern 01", "Lantern 00"]
    assert seen["/search/?language=en&sort=oldest"] == [f"Lantern {n:02}" for n in range(0, 22, 2)]
    assert all(
        title.endswith(("0", "2", "4", "6", "8"))
        for title in seen["/es/search/?q=lantern&language=en"]
    )
    # Asked again, each address is what it was.
    for address in addresses:
        assert titles_on(client.get(address)) == seen[address], address


def test_hostile_searches_are_ordinary_pages_and_never_keys(client, monkeypatch, engine_calls):
    lanterns()
    names = []
    kept = searching.counted_once_per_generation

    def recorded(name, make):
        names.append(name)
        return kept(name, make)

    monkeypatch.setattr(searching, "counted_once_per_generation", recorded)
    hostile = [
        "lantern " + "x" * 10_000,
        'lantern "<script>alert(1)</script>',
        "lantern \x00\x01\ue000\ue001 -- ; DROP TABLE stories_story",
        "lantern OR NEAR(a b) * ^ :",
        "%00%ff%fe lantern",
    ]
    for query in hostile:
        for _ in range(2):
            response = client.get("/search/", {"q": query, "theme": "<b>", "year": "99999"})
            assert response.status_code == 200
            assert "<script>alert(1)" not in response.content.decode()
    assert names and not any("lantern" in name or "script" in name for name in names)
    # Past the longest address kept, a search is answered each time, never kept.
    long_address = {"q": "lantern", "zz": "y" * searching.LONGEST_KEPT_ADDRESS}
    engine_calls.clear()
    for _ in range(2):
        assert titles_on(client.get("/search/", long_address))
    assert engine_calls.count(("snippets",)) == 1  # what it found was kept; the part was not


def test_every_order_searches_the_glossary_s_words_too(client):
    make_published(title="Family dinner", body="My family cooked. " + FILLER)
    make_published(title="La cena", language="es", body="Mi familia cocinaba. " + FILLER)
    for sort in ["", "&sort=newest", "&sort=oldest"]:
        assert sorted(titles_on(client.get(f"/search/?q=familia{sort}"))) == [
            "Family dinner",
            "La cena",
        ], sort
    only_typed = titles_on(client.get("/search/?q=familia&exact=on&sort=newest"))
    assert only_typed == ["La cena"]


def test_the_search_page_without_words_is_kept_too(client):
    lanterns(2, perspective="critics")
    first, cold = archive_queries_for(client, "/search/?perspective=critics")
    again, warm = archive_queries_for(client, "/search/?perspective=critics")
    assert again.content == first.content and "2 stories" in first.content.decode()
    assert cold > 0 and warm == 0
    make_published(title="Lantern new", perspective="critics")
    assert "3 stories" in client.get("/search/?perspective=critics").content.decode()


def test_nothing_is_kept_when_counts_are_off(client, settings, engine_calls):
    settings.COUNTS_CACHE_SECONDS = 0
    lanterns()
    for _ in range(2):
        client.get("/search/?q=lantern")
    assert engine_calls.count(("find", True)) == 2
    assert Story.objects.published().count() == 3


def test_the_filter_menus_are_kept_for_every_search_with_the_same_filters(client):
    lanterns()

    def menus_rendered(response):
        return "stories/_filter_field.html" in [template.name for template in response.templates]

    first = client.get("/search/?q=lantern&language=es")
    assert menus_rendered(first)
    other = client.get("/search/?q=bread&language=es")
    assert not menus_rendered(other)
    assert '<option value="es" selected>' in other.content.decode()
    english = client.get("/search/?q=bread&language=en")
    assert menus_rendered(english) and '<option value="en" selected>' in english.content.decode()
    assert menus_rendered(client.get("/es/search/?q=bread&language=en"))  # in Spanish
