"""The page cache: public pages served from the cache, and never a page that is out of date."""

import datetime

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stories.models import (
    Perspective,
    Recording,
    Report,
    Story,
    StoryLink,
    Theme,
    TranscriptSegment,
)
from stories.pagecache import store

from ..factories import (
    give_recording,
    make_published,
    make_story,
    post_share,
    share_data,
    wav_upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]


@pytest.fixture(autouse=True, params=[86400, 0], ids=["fragments", "no fragments"])
def fragment_cache_seconds(request, settings, page_cache):
    """Every test runs with the story fragments kept (as in production) and without."""
    settings.FRAGMENT_CACHE_SECONDS = request.param


STORY_PAGES = ["/", "/stories/", "/perspectives/immigrants/", "/themes/public-safety/"]


def archive_queries_for(client, url, **extra):
    """The answer, and how many queries it made outside the cache's own table.

    The savepoints around the database cache's statements (tests run inside a
    transaction) are the cache's too.
    """
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    of_the_cache = ("perspectives_cache", "perspectives_pages", "SAVEPOINT")
    return response, sum(not any(t in q["sql"] for t in of_the_cache) for q in queries)


def test_a_warm_page_is_served_from_the_cache(client):
    make_published(title="Zqcached story", themes=["public-safety"])
    first, cold = archive_queries_for(client, "/stories/")
    second, warm = archive_queries_for(client, "/stories/")
    assert second.content == first.content
    assert cold > 0 and warm == 0
    assert "max-age=0" in second["Cache-Control"] and "must-revalidate" in second["Cache-Control"]


def test_the_cache_keeps_languages_and_query_strings_apart(client):
    make_published(title="Zqcached story", language="es")
    english = client.get("/stories/").content
    spanish = client.get("/es/stories/").content
    filtered = client.get("/stories/?language=en").content
    assert english != spanish and english != filtered
    assert client.get("/es/stories/").content == spanish
    assert b'lang="es"' in spanish


def test_conditional_get_answers_304(client):
    make_published(title="Zqcached story")
    etag = client.get("/stories/")["ETag"]
    assert client.get("/stories/", HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.parametrize(
    "change",
    [
        "withdraw",
        "return_to_review",
        "redact",
        "retag",
        "rename_theme",
        "merge_theme",
        "feature",
        "erase",
    ],
)
def test_every_change_reaches_cached_pages_at_once(client, moderator, change):
    story = make_published(
        title="Zqvisible story",
        # A licence plate: the shield finds it, yet it does not hold a story back.
        body="Their van had plate 7ABC123. " * 20,
        themes=["public-safety"],
    )
    other = Theme.objects.get(slug="community-trust")
    for url in [*STORY_PAGES, story.get_absolute_url(), "/search/?q=zqvisible"]:
        assert client.get(url).status_code == 200  # warm
    public_safety = Theme.objects.get(slug="public-safety")

    if change == "withdraw":
        story.withdraw()
    elif change == "return_to_review":
        story.return_to_review(by=moderator)
    elif change == "redact":
        story.redact([f.key for f in story.shield_findings()], by=moderator)
    elif change == "retag":
        story.themes.set([other])
    elif change == "rename_theme":
        public_safety.name_es = "Zqrenamed"
        public_safety.save()
    elif change == "merge_theme":
        public_safety.merge_into(other)
    elif change == "feature":
        story.set_featured(True, by=moderator)
    elif change == "erase":
        story.withdraw()
        story.erase()

    expectations = {
        "withdraw": lambda html: "Zqvisible" not in html,
        "return_to_review": lambda html: "Zqvisible" not in html,
        "redact": lambda html: "7ABC123" not in html,
        "retag": lambda html: True,
        "rename_theme": lambda html: True,
        "merge_theme": lambda html: True,
        "feature": lambda html: True,
        "erase": lambda html: "Zqvisible" not in html,
    }
    for url in STORY_PAGES:
        assert expectations[change](client.get(url).content.decode()), url
    detail = client.get(story.get_absolute_url())
    if change in {"withdraw", "erase"}:
        assert detail.status_code == 410
    elif change == "return_to_review":
        assert detail.status_code == 404
    if change == "retag":
        assert "Zqvisible" not in client.get("/themes/public-safety/").content.decode()
        assert "Zqvisible" in client.get("/themes/community-trust/").content.decode()
    if change == "rename_theme":
        assert "Zqrenamed" in client.get("/es/themes/").content.decode()
    if change == "merge_theme":
        assert client.get("/themes/public-safety/").status_code == 404
    if change == "feature":
        assert "Zqvisible" in client.get("/").content.decode()
    if change in {"withdraw", "return_to_review", "erase"}:
        assert "Zqvisible" not in client.get("/search/?q=zqvisible").content.decode()


def test_a_narrators_submission_keeps_the_cache_and_its_approval_renews_it(client, moderator):
    from django.test import Client

    make_published(title="Zqvisible story")
    for url in STORY_PAGES:
        client.get(url)  # warm
    narrator = Client()
    sent = post_share(narrator, share_data(title="Zqsubmitted story", submission_id="zq-1"))
    assert sent.status_code == 302
    for url in STORY_PAGES:
        assert archive_queries_for(client, url)[1] == 0, f"{url} left the cache"

    submitted = Story.objects.get(title="Zqsubmitted story")
    submitted.themes.set([Theme.objects.get(slug="public-safety")])  # retagged while pending
    assert archive_queries_for(client, "/themes/public-safety/")[1] == 0
    submitted.approve(by=moderator)
    for url in STORY_PAGES:
        assert "Zqsubmitted" in client.get(url).content.decode(), url


def test_a_story_returned_to_review_then_retagged_stays_off_every_page(client, moderator):
    story = make_published(title="Zqvisible story", themes=["public-safety"])
    story.return_to_review(by=moderator)
    for url in STORY_PAGES:
        client.get(url)  # warm, without the story
    story.themes.set([Theme.objects.get(slug="community-trust")])
    for url in [*STORY_PAGES, "/themes/community-trust/"]:
        assert "Zqvisible" not in client.get(url).content.decode(), url


def test_a_page_rendered_during_a_change_is_never_served_after_it(rf, monkeypatch):
    monkeypatch.setattr(store, "public_page_match", lambda request: True)
    renders = []

    def view_during_a_change(request):
        renders.append(request)
        store.bump_generation()  # a withdrawal lands while the page is being rendered
        return HttpResponse(f"render {len(renders)}")

    def quiet_view(request):
        renders.append(request)
        return HttpResponse(f"render {len(renders)}")

    def serve(view):
        return store.PageCacheMiddleware(view)

    during = serve(view_during_a_change)
    during(rf.get("/during/"))
    assert during(rf.get("/during/")).content == b"render 2"  # rendered again, not served
    renders.clear()
    quiet = serve(quiet_view)
    quiet(rf.get("/quiet/"))
    assert quiet(rf.get("/quiet/")).content == b"render 1"  # the control: served from the cache


def test_moderators_and_narrators_with_a_session_bypass_the_cache(client, moderator):
    make_published(title="Zqcached story")
    client.get("/stories/")
    client.force_login(moderator)
    _response, queries = archive_queries_for(client, "/stories/")
    assert queries > 0


def test_pages_with_forms_errors_and_private_pages_are_never_cached(client):
    assert "no-store" in client.get("/share/")["Cache-Control"]  # no query to count: no draft
    urls = (
        "/stories/no-such-story/",
        "/withdraw/no-such-link/",
        "/my-story/",
        "/healthz",
    )
    for url in urls:
        client.get(url)
        _response, queries = archive_queries_for(client, url)
        assert queries >= 1, url
        assert "public" not in client.get(url).get("Cache-Control", ""), url


def test_an_embargo_lifts_within_the_cache_lifetime(client, moderator, monkeypatch, settings):
    story = make_story(
        title="Zqembargoed", embargo_until=timezone.now() + datetime.timedelta(minutes=5)
    )
    story.approve(by=moderator)
    assert "Zqembargoed" not in client.get("/stories/").content.decode()
    later = story.published_at + datetime.timedelta(seconds=settings.PAGE_CACHE_SECONDS + 1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    # The cached page has expired by then (the cache's clock is not faked, so expire it).
    store.bump_generation()
    assert "Zqembargoed" in client.get("/stories/").content.decode()


class CacheDown:
    def __getattr__(self, name):
        def refuse(*args, **kwargs):
            raise ConnectionError("cache down")

        return refuse


def test_a_cache_that_cannot_be_written_does_not_stop_a_change(monkeypatch, caplog):
    monkeypatch.setattr(store, "cache", CacheDown())
    story = make_published(title="Saved anyway")
    assert Story.objects.get(pk=story.pk).status == Story.Status.APPROVED
    assert "Could not renew the page cache generation" in caplog.text


def test_readers_get_pages_while_the_cache_cannot_be_reached(client, monkeypatch, caplog):
    make_published(title="Zqserved anyway")
    monkeypatch.setattr(store, "cache", CacheDown())
    response = client.get("/stories/")
    assert response.status_code == 200 and "Zqserved anyway" in response.content.decode()
    assert "Could not read the page cache" in caplog.text


def test_a_page_from_the_cache_carries_every_header_a_fresh_one_does(client):
    make_published(title="Zqcached story")
    fresh = client.get("/es/stories/")
    kept = client.get("/es/stories/")
    assert kept.templates == [] and fresh.templates  # the view did not run again
    assert kept.wsgi_request.resolver_match.view_name == "stories:story-list"  # for the log
    for header in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "Content-Language",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "ETag",
        "Cache-Control",
    ):
        assert kept[header] == fresh[header], header
    assert kept["X-Request-ID"] != fresh["X-Request-ID"]


def test_archive_wide_counts_are_worked_out_once_per_change(settings):
    settings.PAGE_CACHE_SECONDS = 0  # only the count cache

    def critics_count():
        with CaptureQueriesContext(connection) as queries:
            perspectives = Perspective.objects.with_published_counts()
        counted = any("stories_story" in q["sql"] for q in queries)
        return {p.slug: p.published_count for p in perspectives}["critics"], counted

    make_published(perspective="critics")
    assert critics_count() == (1, True)
    assert critics_count() == (1, False)  # from the cache, no story read
    story = make_published(perspective="critics")
    assert critics_count() == (2, True)
    story.withdraw()
    assert critics_count() == (1, True)


class CacheReads:
    """Every read of the shared cache, as the list of keys it asked for."""

    def __init__(self, monkeypatch):
        self.trips = []
        self.reading = False
        backend = type(caches["pages"])
        for method in ("get", "get_many"):
            monkeypatch.setattr(backend, method, self.counted(getattr(backend, method)))

    def counted(self, read):
        def counted_read(cache, keys, *args, **kwargs):
            if self.reading:  # the database cache's get() is its get_many() of one key
                return read(cache, keys, *args, **kwargs)
            self.trips.append([keys] if isinstance(keys, str) else list(keys))
            self.reading = True
            try:
                return read(cache, keys, *args, **kwargs)
            finally:
                self.reading = False

        return counted_read

    def of(self, key):
        return [trip for trip in self.trips if key in trip]


def test_a_page_reads_the_generation_once_and_its_kept_parts_from_memory(
    client, settings, monkeypatch
):
    settings.PAGE_CACHE_SECONDS = 0
    make_published(title="Zqlisted", perspective="critics", themes=["public-safety"])
    client.get("/stories/")  # the counts, menus and cards kept
    reads = CacheReads(monkeypatch)
    page = client.get("/stories/").content.decode()
    assert "Zqlisted" in page
    assert len(reads.of(store.GENERATION_KEY)) == 1
    # The menus and counts were copied into the process: no other read of the pages cache
    # but the cards'.
    assert not [trip for trip in reads.trips if any(key.startswith("counts:") for key in trip)]

    # A change is seen by the next page, though the old copies are still in memory.
    make_published(title="Zqsecond", perspective="critics", year_happened=2009)
    page = client.get("/stories/").content.decode()
    assert "Zqsecond" in page and "2009" in page
    assert len(reads.of(store.GENERATION_KEY)) == 2


def test_a_story_page_finds_its_story_once_a_generation_and_never_keeps_an_unknown_one(
    client, settings, monkeypatch
):
    settings.PAGE_CACHE_SECONDS = 0
    story = make_published(title="Zqfound")
    client.get(story.get_absolute_url())

    def stories_read(url):
        """The answer, and its lookups of a story by its address (parts are read by id)."""
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        return response, [q["sql"] for q in queries if '"stories_story"."slug" =' in q["sql"]]

    response, read = stories_read(story.get_absolute_url())
    assert "Zqfound" in response.content.decode() and not read
    # Withdrawn: the generation is renewed, the story is looked for again, and gone.
    story.withdraw()
    response, read = stories_read(story.get_absolute_url())
    assert response.status_code == 410 and read
    # An address nobody has is looked for each time, and fills no cache.
    reads = CacheReads(monkeypatch)
    for _ in range(2):
        response, read = stories_read("/stories/zq-made-up/")
        assert response.status_code == 404 and read
    assert len(reads.trips) == 2 * 2  # the generation and the lookup, each time


def other_request(claim, *, keeps=None):
    """A stand-in for ``time.sleep`` while a request waits: meanwhile the request that
    claimed the value (``claim``) keeps ``keeps`` (a key and its stored value) and lets go."""

    def meanwhile(seconds):
        if keeps:
            store.cache.set(*keeps)
        store.cache.delete(claim)

    return meanwhile


def test_readers_asking_at_once_wait_for_the_one_making_a_value(monkeypatch):
    current = store.generation()
    claim = f"making:counts:zq-value:{current}"
    assert store.cache.add(claim, True)  # another request is making it
    monkeypatch.setattr(
        store.time, "sleep", other_request(claim, keeps=("counts:zq-value", (current, "theirs")))
    )
    made = []
    assert store.counted_once_per_generation("zq-value", lambda: made.append(1) or "ours") == (
        "theirs"
    )
    assert made == []


def test_a_reader_makes_the_value_itself_if_the_one_making_it_gave_up(monkeypatch):
    claim = f"making:counts:zq-value:{store.generation()}"
    assert store.cache.add(claim, True)
    monkeypatch.setattr(store.time, "sleep", other_request(claim))  # an error: nothing kept
    assert store.counted_once_per_generation("zq-value", lambda: "ours") == "ours"


def test_a_value_that_could_not_be_made_leaves_no_claim_behind():
    def failing():
        raise ConnectionError("the database went away")

    with pytest.raises(ConnectionError):
        store.counted_once_per_generation("zq-value", failing)
    assert store.cache.get(f"making:counts:zq-value:{store.generation()}") is None
    assert store.counted_once_per_generation("zq-value", lambda: "made") == "made"


def test_the_browse_page_counts_follow_a_change_with_pages_uncached(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    make_published(title="First", year_happened=2011)
    assert "2011" in client.get("/stories/").content.decode()
    make_published(title="Second", year_happened=2015)
    assert "2015" in client.get("/stories/").content.decode()


def test_list_lengths_are_kept_per_filter_and_follow_a_change(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    make_published(perspective="critics", language="en")
    make_published(perspective="critics", language="es")

    def count(url):
        return client.get(url).context["paginator"].count

    assert count("/stories/") == 2
    assert count("/stories/?language=es") == 1
    assert count("/perspectives/critics/") == 2
    make_published(perspective="critics", language="es")
    assert count("/stories/") == 3
    assert count("/stories/?language=es") == 2
    assert count("/perspectives/critics/") == 3


def test_a_cache_table_that_is_missing_leaves_the_change_and_its_transaction_usable(
    monkeypatch, caplog
):
    # As while migrations run before createcachetable. On PostgreSQL one failed
    # statement would abort the whole transaction without a savepoint of its own.
    if "Redis" in type(caches["pages"]).__name__:
        pytest.skip("the database cache only")
    with monkeypatch.context() as patched, transaction.atomic():
        patched.setattr(caches["pages"], "_table", "no_such_cache_table")
        story = make_published(title="Saved inside a transaction")
        assert Story.objects.filter(pk=story.pk, status=Story.Status.APPROVED).exists()
    assert "Could not renew the page cache generation" in caplog.text


# --- Which changes move the generation: only those that can alter what a reader sees ---


@pytest.fixture
def stories(every_state_archive, moderator):
    """A story in every state, another visible one to link to, and the moderator."""
    return {
        **every_state_archive,
        "other visible": make_published(title="Zqother"),
        "moderator": moderator,
    }


def renews_the_generation(change, stories):
    """Whether ``change(stories)`` moved the generation, once committed too."""
    from django.test import TestCase

    before = store.generation()
    with TestCase.captureOnCommitCallbacks(execute=True):
        change(stories)
    return store.generation() != before


def cues(text):
    from stories.recordings.transcripts import Cue

    return [Cue(start=datetime.timedelta(seconds=0), end=None, text=text)]


def withdraw_erase(story):
    story.withdraw()
    story.erase()


def map_suggestion(story):
    story.theme_suggestion.map_onto(Theme.objects.get(slug="legal-aid"), by=None)


def report_by(story, readers):
    for n in range(readers):
        Report.file(
            story,
            reason=Report.Reason.PERSONAL_INFORMATION,
            details="",
            email="",
            reporter_hash=f"{n:064d}",
        )


UNSEEN_CHANGES = {
    "a submission": lambda s: make_story(themes=["public-safety"]),
    "a pending story withdrawn": lambda s: s["pending"].withdraw(),
    "a pending story rejected": lambda s: s["pending"].reject(by=s["moderator"]),
    "a pending story edited": lambda s: Story.objects.get(pk=s["pending"].pk).save(),
    "a pending story featured": lambda s: s["pending"].set_featured(True, by=s["moderator"]),
    "themes added to a pending story": lambda s: s["pending"].themes.add(
        Theme.objects.get(slug="legal-aid")
    ),
    "a recording sent with a pending story": lambda s: Recording.store(
        wav_upload(), story=s["pending"]
    ),
    "a recording held for a share form": lambda s: Recording.store(wav_upload()),
    "a pending story's transcript": lambda s: TranscriptSegment.replace_transcript(
        s["pending"], cues("Zq words")
    ),
    "a pending story approved under an embargo": lambda s: (
        Story.objects.filter(pk=s["pending"].pk).update(
            embargo_until=timezone.now() + datetime.timedelta(days=3)
        ),
        Story.objects.get(pk=s["pending"].pk).approve(by=s["moderator"]),
    ),
    "an embargoed story returned to review": lambda s: s["embargoed"].return_to_review(
        by=s["moderator"]
    ),
    "an embargoed story withdrawn": lambda s: s["embargoed"].withdraw(),
    "a story nobody saw erased": lambda s: withdraw_erase(s["pending"]),
    # Accepted, it would be a new theme, on every list of themes.
    "a theme suggested by a pending story mapped onto one": lambda s: map_suggestion(s["pending"]),
    "a report on a visible story": lambda s: report_by(s["visible"], 1),
}

SEEN_CHANGES = {
    "a pending story approved": lambda s: s["pending"].approve(by=s["moderator"]),
    "a visible story returned to review": lambda s: s["visible"].return_to_review(
        by=s["moderator"]
    ),
    "a visible story withdrawn": lambda s: s["visible"].withdraw(),
    "a visible story edited": lambda s: Story.objects.get(pk=s["visible"].pk).save(),
    "a visible story featured": lambda s: s["visible"].set_featured(True, by=s["moderator"]),
    "themes added to a visible story": lambda s: s["visible"].themes.add(
        Theme.objects.get(slug="legal-aid")
    ),
    "a visible story's recording cleared": lambda s: give_recording(
        s["visible"], cleared=True, by=s["moderator"]
    ),
    "a visible story's transcript": lambda s: TranscriptSegment.replace_transcript(
        s["visible"], cues("Zq words")
    ),
    "a theme suggested by a visible story mapped onto one": lambda s: map_suggestion(s["visible"]),
    "two visible stories linked": lambda s: StoryLink.objects.create(
        from_story=s["visible"],
        relation=StoryLink.Relation.RESPONDS_TO,
        to_story=s["other visible"],
    ),
    "reports that return a visible story to review": lambda s: report_by(s["visible"], 3),
    "a theme renamed": lambda s: Theme.objects.get(slug="legal-aid").save(),
    "a perspective described": lambda s: Perspective.objects.get(slug="critics").save(),
}


@pytest.mark.parametrize("change", UNSEEN_CHANGES.values(), ids=UNSEEN_CHANGES.keys())
def test_a_change_readers_cannot_see_keeps_every_cached_page(stories, change):
    assert not renews_the_generation(change, stories)


@pytest.mark.parametrize("change", SEEN_CHANGES.values(), ids=SEEN_CHANGES.keys())
def test_a_change_readers_can_see_renews_every_cached_page(stories, change):
    assert renews_the_generation(change, stories)


def test_withdrawing_a_pending_story_keeps_the_warm_home_page(client, stories):
    client.get("/")  # warm
    stories["pending"].withdraw()
    assert archive_queries_for(client, "/")[1] == 0
