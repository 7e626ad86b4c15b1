"""Pages after the first read by keyset (stories/pages/paging.py): the same stories as OFFSET."""

import datetime
import itertools

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stories.models import Story
from stories.pages.browse import STORIES_PER_PAGE
from stories.pages.filters import ORDERS
from stories.pages.paging import KeysetPaginator

from ..factories import make_published, make_story

pytestmark = pytest.mark.django_db

PERSPECTIVES = ["critics", "immigrants"]
YEARS = [None, 1994, 2001]


@pytest.fixture
def archive(settings):
    """50 published stories (three pages), with ties wherever an order can have them.

    Three at a time share a publication time, and nine at a time a year (or none), so
    ties fall across page boundaries in every order; one more was withdrawn, one returned
    to review, and one waits for its first review.
    Bookmarks are kept per generation, as in production (pages are read by OFFSET otherwise).
    """
    settings.COUNTS_CACHE_SECONDS = 60
    stories = [
        make_published(
            title=f"Story {n}",
            perspective=PERSPECTIVES[n % 2],
            year_happened=YEARS[n // 9 % 3],
            place="Boyle Heights",
            themes=["public-safety"] if n % 3 else [],
        )
        for n in range(52)
    ]
    start = timezone.now() - datetime.timedelta(days=1)
    for n, story in enumerate(stories):
        Story.objects.filter(pk=story.pk).update(
            published_at=start + datetime.timedelta(minutes=n // 3)
        )
    stories[5].withdraw()
    stories[30].return_to_review(by=None)
    make_story(title="Still waiting")
    return stories


def ids_on(response):
    assert response.status_code == 200
    return [card.pk for card in response.context["cards"]]


def browse(client, number, sort="newest"):
    return ids_on(client.get(f"/stories/?sort={sort}&page={number}"))


def pages_by_offset(stories, order, per_page=STORIES_PER_PAGE):
    ids = list(stories.order_by(*order).values_list("pk", flat=True))
    return [ids[start : start + per_page] for start in range(0, len(ids), per_page)]


# Every order readers can choose, and NULLs first the other way round: the keyset's other branch.
ORDERINGS = [
    *ORDERS.values(),
    (F("year_happened").desc(nulls_first=True), "published_at", "pk"),
    (F("year_happened").desc(nulls_last=True), "-pk"),
]


def test_every_page_holds_what_offset_would(archive):
    published = Story.objects.published()
    for order, per_page in itertools.product(ORDERINGS, (1, 7, STORIES_PER_PAGE)):
        paginator = KeysetPaginator(
            published.order_by(*order).values_list("pk", flat=True), per_page, name="test"
        )
        shown = [list(paginator.page(number).object_list) for number in paginator.page_range]
        assert shown == pages_by_offset(published, order, per_page), (order, per_page)


@pytest.mark.parametrize(
    "filters",
    ["", "perspective=critics", "year=1994", "theme=public-safety", "place=boyle-heights"],
)
def test_browse_pages_are_the_offset_pages_in_every_order(client, archive, filters):
    published = Story.objects.published()
    narrowed = {
        "": published,
        "perspective=critics": published.filter(perspective__slug="critics"),
        "year=1994": published.filter(year_happened=1994),
        "theme=public-safety": published.filter(themes__slug="public-safety"),
        "place=boyle-heights": published,
    }[filters]
    for sort, order in ORDERS.items():
        expected = pages_by_offset(narrowed, order)
        address = f"/stories/?{filters}&sort={sort}&page="
        shown = [ids_on(client.get(f"{address}{number}")) for number in range(1, len(expected) + 1)]
        assert shown == expected, sort
        assert client.get(f"{address}{len(expected) + 1}").status_code == 404


def test_a_place_is_paged_as_browse_is(client, archive):
    for sort, order in ORDERS.items():
        expected = pages_by_offset(Story.objects.published(), order)
        address = f"/places/boyle-heights/?sort={sort}&page="
        assert [ids_on(client.get(f"{address}{number}")) for number in (1, 2, 3)] == expected


def test_a_perspective_is_paged_newest_first(client, archive):
    for _ in range(10):
        make_published(perspective="critics", title="Another critic")
    critics = Story.objects.published().filter(perspective__slug="critics")
    expected = pages_by_offset(critics, ORDERS["newest"])
    assert len(expected) == 2
    assert [
        ids_on(client.get(f"/perspectives/critics/?page={number}")) for number in (1, 2)
    ] == expected


def test_with_nothing_kept_pages_are_read_by_offset(client, archive, settings):
    settings.COUNTS_CACHE_SECONDS = 0
    with CaptureQueriesContext(connection) as captured:
        shown = [browse(client, number) for number in (1, 2, 3)]
    assert shown == pages_by_offset(Story.objects.published(), ORDERS["newest"])
    assert sum("OFFSET 20" in query["sql"].upper() for query in captured) == 1


def test_a_page_beyond_the_end_or_not_a_number_is_not_found(client, archive):
    for number in ("4", "0", "-1", "two", "99999999999999999999"):
        assert client.get(f"/stories/?page={number}").status_code == 404, number


def test_the_last_page_by_name(client, archive):
    last = client.get("/stories/?page=last")
    assert last.context["page_obj"].number == 3
    assert ids_on(last) == pages_by_offset(Story.objects.published(), ORDERS["newest"])[-1]


def test_bookmarks_kept_per_generation_follow_every_change(client, archive):
    """Kept bookmarks are the ones of the list as it is now: renewed by any change readers see."""

    def expected(sort):
        return pages_by_offset(Story.objects.published(), ORDERS[sort])

    def every_page(sort):
        return [browse(client, number, sort) for number in range(1, len(expected(sort)) + 1)]

    for sort in ORDERS:
        assert every_page(sort) == expected(sort)
    newest = expected("newest")
    # The last story of page 1 (page 2's bookmark), then one in the middle of page 2.
    for withdrawn in (newest[0][-1], newest[1][5]):
        Story.objects.get(pk=withdrawn).withdraw()
        for sort in ORDERS:
            shown = every_page(sort)
            assert shown == expected(sort)
            assert withdrawn not in itertools.chain(*shown)
    # A story published now leads the newest first: every page after it moves by one.
    arrived = make_published(title="Just approved", year_happened=1994)
    for sort in ORDERS:
        assert every_page(sort) == expected(sort)
    assert browse(client, 1)[0] == arrived.pk
    # Returned to review: gone from every page at once.
    arrived.return_to_review(by=None)
    assert all(arrived.pk not in browse(client, number) for number in (1, 2, 3))
    assert every_page("newest") == expected("newest")


def test_a_kept_page_of_ids_spares_its_queries(client, archive):
    """A deep page is found once a generation (its bookmark, then its ids), then read as the
    first page is: only its cards; and a change readers can see finds it again."""

    def story_queries(url):
        # Stories only: without Redis, the kept values are read from a table too.
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return [query["sql"] for query in captured if "stories_story" in query["sql"]]

    story_queries("/stories/?page=1")  # the counts, the years and the page's ids, kept
    first_page = story_queries("/stories/?page=1")
    finding = story_queries("/stories/?page=3")
    kept = story_queries("/stories/?page=3")
    assert len(first_page) == 1  # its cards: fragments are off
    assert len(finding) == len(first_page) + 2  # the bookmark and the page's ids, found
    assert len(kept) == len(first_page)
    # Only the bookmark is found by OFFSET, reading the sort columns alone; the ids follow it.
    bookmark, ids, _cards = finding
    assert "OFFSET" in bookmark.upper() and '"published_at" AS' in bookmark
    assert "OFFSET" not in ids.upper()
    make_published(title="Zqnewest")  # renews the generation: every page is found again
    again = story_queries("/stories/?page=3")
    assert sum("OFFSET" in sql.upper() for sql in again) == 1  # the bookmark, found again
