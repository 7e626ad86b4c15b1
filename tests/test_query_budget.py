"""Every public page runs a fixed number of queries, however many stories there are."""

import datetime
import itertools

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from stories.models import (
    IndexSegment,
    ModerationEvent,
    Perspective,
    Report,
    ReviewClaim,
    Story,
    StoryLink,
    Theme,
)
from stories.pages.share_steps import CHECK, STEPS

from .factories import (
    RISKY_BODY,
    give_recording,
    make_published,
    make_story,
    post_share,
    share_data,
)
from .readers import withdrawal_link_on

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 10
THEME_SETS = [
    ["public-safety", "community-trust"],
    ["legal-aid"],
    ["public-safety", "economy-and-work", "belonging"],
]


def fill_archive(count):
    perspectives = list(Perspective.objects.values_list("slug", flat=True))
    stories = [
        make_published(
            perspective=perspectives[n % len(perspectives)],
            themes=THEME_SETS[n % len(THEME_SETS)],
            year_happened=2010 + n % 12,
            featured=n % 7 == 0,
            # One place, spelt two ways: its page lists every story.
            place="Boyle Heights" if n % 2 else "boyle heights",
        )
        for n in range(count)
    ]
    # Some with a recording and its transcript: the cards mark them, the story page plays one.
    for story in stories[::4]:
        give_recording(story, cleared=True, transcript=[(0, "First words"), (4.5, "Then more")])
        # And its index: the story page lists it beside the player, the theme page its passages.
        give_index(story, length=count % 7 + 2)
    return stories[0]


def give_index(story, length):
    """An index of ``length`` segments, passages on the story's themes."""
    themes = list(
        Theme.objects.filter(tagged_stories__content_object=story).values_list("pk", flat=True)
    )
    segments = [
        IndexSegment(
            start=datetime.timedelta(seconds=4.5 * n), title=f"Part {n}", synopsis="What is said."
        )
        for n in range(length)
    ]
    for segment in segments:
        segment.theme_ids = themes
    IndexSegment.replace_index(story, segments)


PAGES = [
    "/",
    "/stories/",
    "/stories/?perspective=critics&theme=public-safety&language=en&year=2012",
    "/stories/?recording=on",
    "/perspectives/",
    "/perspectives/critics/",
    "/themes/",
    "/themes/public-safety/",
    # Two voices compared, side by side (the theme page's GET form).
    "/themes/public-safety/?compare=critics&with=immigrants",
    "/share/",
    "/es/themes/public-safety/",
    # Passages on a theme, from every perspective (recorded stories' indexes).
    "/themes/community-trust/",
    "/es/themes/legal-aid/",
    "/search/",
    "/search/?q=clinic+nurse",
    "/search/?q=clinic&recording=on",
    # Filters that keep some matches: the chosen perspective and theme are read with the menus.
    "/search/?q=clinic&perspective=immigrants&theme=public-safety",
    "/es/search/?q=clinic&perspective=critics&theme=public-safety&language=en&year=2012",
    # Across languages through the glossary (read once, with the page), or only the words typed.
    "/es/search/?q=familia",
    "/search/?q=family&language=es",
    "/search/?q=family&exact=on",
    # Found in a recording's index, its transcript or the archive's translation: the page's
    # transcript paragraphs and index segments read in one query each (search/snippets.py).
    "/search/?q=words",
    "/es/search/?q=words+clinic",
    # Featured stories in the page's language first: their stand-ins looked for too.
    "/es/",
    "/about/moderation/",
    "/es/about/moderation/",
    "/about/",
    "/es/about/requests/",
    "/about/requests/",
    "/data/",
    "/es/data/",
    "/report/thanks/",
    "/stories/?sort=year&place=boyle-heights",
    "/search/?q=clinic&sort=oldest&place=boyle-heights",
    "/places/",
    "/places/boyle-heights/",
    "/es/places/boyle-heights/?sort=year",
    "/timeline/",
    "/es/timeline/",
]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def link_and_report(stories, moderator):
    """Links between stories and decisions with reasons, as a busy archive has them."""
    for story, other in itertools.pairwise(stories):
        StoryLink.objects.get_or_create(
            from_story=story, to_story=other, defaults={"relation": "responds_to"}
        )
    pending = make_story(title="Waiting")
    pending.reject(by=moderator, reason="spam")


@pytest.mark.parametrize(
    "url",
    [
        *PAGES,
        "story",
        "story in Spanish",
        "story without a recording",
        "report",
        "embed",
        "embed in Spanish",
        "embed without a recording",
        "oembed",
        "oembed of a page in Spanish",
        # IIIF: a heard story's manifest, and the collections of heard stories.
        "iiif manifest",
        "iiif perspective",
        "/iiif/collection.json",
        "/iiif/themes/public-safety/collection.json",
    ],
)
def test_page_queries_are_bounded_and_do_not_grow(client, url, moderator):
    first = fill_archive(5)  # with a recording and its transcript
    link_and_report(list(Story.objects.published()), moderator)
    unheard = Story.objects.published().filter(recording=None).order_by("pk").first()
    targets = {
        "story": first.get_absolute_url(),
        "story in Spanish": "/es" + first.get_absolute_url(),
        "story without a recording": unheard.get_absolute_url(),
        "report": f"/stories/{first.slug}/report/",
        # The card another site frames, and the oEmbed road that hands out its address.
        "embed": f"/embed/{first.pk}/",
        "embed in Spanish": f"/es/embed/{first.pk}/",
        "embed without a recording": f"/embed/{unheard.pk}/",
        "oembed": f"/oembed?url=http://testserver/s/{first.pk}/&maxwidth=400",
        "oembed of a page in Spanish": (
            f"/oembed?url=http://testserver/es{first.get_absolute_url()}&format=json"
        ),
        "iiif manifest": f"/iiif/{first.pk}/manifest.json",
        "iiif perspective": f"/iiif/perspectives/{first.perspective.slug}/collection.json",
    }
    target = targets.get(url, url)
    small = count_queries(client, target)
    fill_archive(55)
    link_and_report(list(Story.objects.published()), moderator)
    large = count_queries(client, target)
    assert large == small, f"{target}: {small} queries with 5 stories, {large} with 60"
    assert large <= QUERY_BUDGET, f"{target}: {large} queries"


@pytest.mark.parametrize(
    "address,number",
    [
        ("/stories/?", 3),
        ("/stories/?sort=year&", 3),
        ("/stories/?theme=public-safety&sort=oldest&", 2),
        ("/perspectives/critics/?", 2),
        ("/places/boyle-heights/?", 3),
        ("/es/places/boyle-heights/?sort=year&", 2),
    ],
)
def test_a_deep_page_costs_what_the_first_does(client, settings, address, number):
    """Read by keyset once its bookmark is kept (stories/pages/paging.py), by OFFSET if not."""
    fill_archive(60)
    for _ in range(15):
        make_published(perspective="critics")  # a second page for the perspective
    first, deep = f"{address}page=1", f"{address}page={number}"
    assert count_queries(client, deep) == count_queries(client, first)
    settings.COUNTS_CACHE_SECONDS = 60
    for url in (first, deep):
        count_queries(client, url)  # the counts and the bookmark, kept
    assert archive_queries(client, deep) == archive_queries(client, first)
    assert archive_queries(client, deep) <= QUERY_BUDGET


def archive_queries(client, url):
    """The page's queries, less its reads of kept values: queries only where the cache is a
    table of the database (tests without Redis), each in a savepoint of its own."""
    kept_in_table = isinstance(caches["pages"], DatabaseCache)
    cache_table = settings.CACHES["pages"]["LOCATION"] if kept_in_table else None
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return sum(
        not (cache_table and cache_table in query["sql"]) and "SAVEPOINT" not in query["sql"]
        for query in queries
    )


def test_budget_holds_under_pytest_django_assertion(client, django_assert_max_num_queries):
    fill_archive(60)
    for url in PAGES:
        with django_assert_max_num_queries(QUERY_BUDGET):
            client.get(url)


def test_narrator_pages_stay_within_the_budget(client, django_assert_max_num_queries):
    """The review step, the thank-you page and the withdrawal pages, whatever the archive holds.

    Sending a story and withdrawing one are writes (the story, its themes, its
    event, the search index, the session), not pages: they are not budgeted.
    """

    fill_archive(20)
    client.get("/share/")
    client.post("/share/", {"telling": "write"})
    data = share_data(body=RISKY_BODY)
    for step in STEPS:
        with django_assert_max_num_queries(QUERY_BUDGET):
            assert client.get(f"/share/{step.slug}/").status_code == 200
        if step is not CHECK:
            with django_assert_max_num_queries(QUERY_BUDGET):
                posted = {name: data[name] for name in step.fields if name in data}
                assert client.post(f"/share/{step.slug}/", posted).status_code == 302
    with django_assert_max_num_queries(QUERY_BUDGET):
        review = client.post("/share/check/", {"consent": "on", "send": "1"})
    assert review.context["findings"]
    post_share(client, share_data(body=RISKY_BODY, send_anyway="1"))
    with django_assert_max_num_queries(QUERY_BUDGET):
        thanks = client.get("/share/thanks/")
    _link, token = withdrawal_link_on(thanks)
    # Each link, then the pages it leads to: the private page, its forms and the card,
    # then "this link does not work".
    links = (
        "/my-story/card.svg",
        f"/my-story/{token}/",
        "/my-story/",
        "/es/my-story/",
        "/my-story/withdraw/",
        "/my-story/correction/",
        f"/withdraw/{token}/",
        "/my-story/",
        "/my-story/wrong-token/",
        "/my-story/",
    )
    for url in (*links, "/privacy/", "/es/privacy/"):
        with django_assert_max_num_queries(QUERY_BUDGET):
            assert client.get(url).status_code in (200, 302, 404)


def fill_review_queue(count, moderators):
    """Pending stories as a busy queue has them: claimed, reported, with recordings to hear."""
    stories = [make_story(title=f"Waiting {n}") for n in range(count)]
    for n, story in enumerate(stories):
        if n % 3 == 0:
            ReviewClaim.open_review(story, by=moderators[n % len(moderators)])
        if n % 4 == 0:
            give_recording(story)
        if n % 5 == 0:
            Report.objects.create(story=story, reason="other", reporter_hash=f"{n:064}")


@pytest.mark.parametrize("url", ["/admin/stories/story/desk/", "/admin/stories/story/"])
def test_the_desk_and_the_list_do_not_grow_with_the_queue(client, moderator, url):
    """Claims, reports and recordings are read with the stories, not one query a row."""
    second = type(moderator).objects.create_user("second", password="x" * 20, is_staff=True)
    client.force_login(moderator)
    fill_review_queue(4, [moderator, second])
    small = count_queries(client, url)
    fill_review_queue(40, [moderator, second])
    large = count_queries(client, url)
    assert large == small, f"{url}: {small} queries with 4 stories waiting, {large} with 44"
    assert large <= QUERY_BUDGET, f"{url}: {large} queries"


def test_a_moderator_signed_in_with_a_second_factor_keeps_the_budget(client, moderator):
    """As in production: the session passed the code, so each admin page checks its device."""
    device = TOTPDevice.objects.create(user=moderator, name="Phone", confirmed=True)
    client.force_login(moderator)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    fill_review_queue(6, [moderator])
    story = make_story(title="Waiting for its first reader")
    give_recording(story)
    pages = (
        "/admin/stories/story/desk/",
        f"/admin/stories/story/{story.pk}/review/",  # opened first: the claim is written
        f"/admin/stories/story/{story.pk}/review/",  # opened again: the claim renewed
        f"/admin/stories/story/{story.pk}/transcript/",
        f"/admin/stories/story/{story.pk}/index/",
        f"/admin/stories/story/{story.pk}/translation/",
        "/admin/stories/story/translations/",
        "/admin/language/",
    )
    for url in pages:
        queries = count_queries(client, url)
        assert queries <= QUERY_BUDGET, f"{url}: {queries} queries"
    # A story with all there is to read on its review: a report and a correction asked for.
    Report.objects.create(story=story, reason="other", reporter_hash="f" * 64)
    ModerationEvent.objects.create(story=story, narrator_message="Please say South LA.")
    queries = count_queries(client, pages[1])
    assert queries <= QUERY_BUDGET, f"{pages[1]} with a report and a correction: {queries}"


def test_the_index_and_translation_editors_do_not_grow_with_the_recording(client, moderator):
    """Segments with their themes, and paragraphs with their translations, are read at once."""
    from django.contrib.auth.models import Group

    from stories.models import IndexSegment, Theme
    from stories.moderators import TRANSLATORS_GROUP

    story = make_published(title="Long testimony")
    give_recording(story, cleared=True, transcript=[(n, f"Paragraph {n}") for n in range(30)])
    themes = list(Theme.objects.all()[:3])
    segments = [IndexSegment(start=datetime.timedelta(seconds=n), title=f"S{n}") for n in range(30)]
    for segment in segments:
        segment.theme_ids = [theme.pk for theme in themes]
    IndexSegment.replace_index(story, segments)
    client.force_login(moderator)
    for url in (
        f"/admin/stories/story/{story.pk}/index/",
        f"/admin/stories/story/{story.pk}/translation/",
    ):
        queries = count_queries(client, url)
        assert queries <= QUERY_BUDGET, f"{url}: {queries} queries"
    translator = type(moderator).objects.create_user("translator", password="x" * 20, is_staff=True)
    translator.groups.add(Group.objects.get(name=TRANSLATORS_GROUP))
    client.force_login(translator)
    for url in (
        f"/admin/stories/story/{story.pk}/translation/",
        "/admin/stories/story/translations/",
    ):
        queries = count_queries(client, url)
        assert queries <= QUERY_BUDGET, f"{url}: {queries} queries"
