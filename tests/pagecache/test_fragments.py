"""Fragments: a story's card and page kept under the story's own stamp, never out of date."""

import pytest
from django.core.cache import caches

from stories.models import Perspective, Theme
from stories.pagecache import fragments
from stories.pages import story_cards

from ..factories import give_recording, make_published

pytestmark = pytest.mark.django_db


@pytest.fixture(
    params=["page cache off", "page cache on"],
    ids=["fragments, page cache off", "fragments and page cache"],
)
def caching(request, settings):
    """Fragments and counts kept as in production; the page cache off (as bench/load.py
    measures the pages) or on."""
    settings.COUNTS_CACHE_SECONDS = 60
    settings.FRAGMENT_CACHE_SECONDS = 86400
    settings.PAGE_CACHE_SECONDS = 60 if request.param == "page cache on" else 0


@pytest.fixture
def render_spy(monkeypatch):
    """The ids of the stories whose cards were rendered, not read from the cache."""
    rendered = []
    real = story_cards.render

    def spy(story_ids, *args, **kwargs):
        rendered.extend(story_ids)
        return real(story_ids, *args, **kwargs)

    monkeypatch.setattr(story_cards, "render", spy)
    return rendered


def pages_showing(story):
    """Every page that shows ``story``'s card or its own page, in both languages."""
    place = story.place_slug
    return [
        prefix + path
        for prefix in ("", "/es")
        for path in (
            "/",
            "/stories/",
            f"/perspectives/{story.perspective.slug}/",
            *([f"/places/{place}/"] if place else []),
            "/themes/public-safety/",
            story.get_absolute_url(),
        )
    ]


@pytest.fixture
def story(settings):
    settings.PLACE_MIN_STORIES = 1
    return make_published(
        title="Zqkept story",
        summary="",
        quote="",
        # A licence plate: the shield finds it, yet it does not hold a story back.
        body="Their van had plate 7ABC123 on the corner. " * 5,
        themes=["public-safety"],
        place="Pacoima",
    )


@pytest.fixture
def neighbour():
    """A story from another perspective on the same theme: its page shows the story's card."""
    return make_published(
        title="Zqneighbour story", perspective="critics", themes=["public-safety"]
    )


def test_a_card_is_rendered_once_and_outlives_an_approval_elsewhere(
    client, story, caching, render_spy
):
    client.get("/stories/")
    assert story.pk in render_spy
    render_spy.clear()
    client.get("/perspectives/immigrants/")
    assert render_spy == []  # the same card, another page
    newcomer = make_published(title="Zqnew story")  # renews the archive's generation
    html = client.get("/stories/?page=1").content.decode()
    assert "Zqnew story" in html and "Zqkept story" in html
    assert render_spy == [newcomer.pk]


def test_cards_are_kept_per_language_and_variant(client, story, caching):
    english = client.get("/stories/").content.decode()
    spanish = client.get("/es/stories/").content.decode()
    assert "Immigrants" in english and "Inmigrantes" in spanish
    # On the place's own page the place is text, not a link to the page it is on.
    assert 'href="/places/pacoima/"' in english
    assert 'href="/places/pacoima/"' not in client.get("/places/pacoima/").content.decode()


CHANGES = {
    # name: (change, text that must be gone, text that must now be shown)
    "retitle": (lambda story, by: saved(story, title="Zqretitled story"), "Zqkept", "Zqretitled"),
    "redact": (
        lambda story, by: story.redact([f.key for f in story.shield_findings()], by=by),
        "7ABC123",
        "Zqkept",
    ),
    "withdraw": (lambda story, by: story.withdraw(), "Zqkept", None),
    "return to review": (lambda story, by: story.return_to_review(by=by), "Zqkept", None),
    "rename the perspective": (
        lambda story, by: saved(Perspective.objects.get(slug="immigrants"), name="Zqnewcomers"),
        None,
        "Zqnewcomers",
    ),
}


def saved(row, **fields):
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_to_a_story_reaches_every_page_showing_it(
    client, story, neighbour, moderator, caching, change
):
    pages = [*pages_showing(story), neighbour.get_absolute_url()]
    for url in pages:
        assert client.get(url).status_code == 200  # kept
    make_change, gone, shown = CHANGES[change]
    make_change(story, moderator)
    story.refresh_from_db()
    for url in pages:
        response = client.get(url)
        if response.status_code != 200:
            # Only the story's own page and its place's (a place of one story) may go.
            assert shown is None and url.endswith((story.get_absolute_url(), "/places/pacoima/"))
            continue
        html = response.content.decode()
        if gone:
            assert gone not in html, url
        if shown and not url.startswith("/es/"):  # the perspective's Spanish name is its own
            assert shown in html, url


def test_a_retagging_moves_the_story_between_theme_pages_and_its_own_page(client, story, caching):
    community_trust = Theme.objects.get(slug="community-trust")
    for url in ("/themes/public-safety/", "/themes/community-trust/", story.get_absolute_url()):
        client.get(url)
    story.themes.set([community_trust])
    assert "Zqkept" not in client.get("/themes/public-safety/").content.decode()
    assert "Zqkept" in client.get("/themes/community-trust/").content.decode()
    own = client.get(story.get_absolute_url()).content.decode()
    assert 'href="/themes/community-trust/"' in own and 'href="/themes/public-safety/"' not in own


def test_a_theme_rename_reaches_the_kept_story_pages(client, story, caching):
    spanish_page = "/es" + story.get_absolute_url()
    client.get(spanish_page)
    saved(Theme.objects.get(slug="public-safety"), name_es="Zqseguridad renombrada")
    assert "Zqseguridad renombrada" in client.get(spanish_page).content.decode()


def test_a_recording_cleared_reaches_the_kept_cards(client, story, moderator, caching):
    assert 'class="card-listen"' not in client.get("/stories/").content.decode()
    give_recording(story, cleared=True, by=moderator)
    assert 'class="card-listen"' in client.get("/stories/").content.decode()
    assert 'id="listen"' in client.get(story.get_absolute_url()).content.decode()


def test_a_place_passing_the_threshold_links_the_kept_cards(client, settings, caching):
    settings.PLACE_MIN_STORIES = 2
    make_published(title="Zqfirst in Sylmar", place="Sylmar")
    assert 'href="/places/sylmar/"' not in client.get("/stories/").content.decode()
    make_published(title="Zqsecond in Sylmar", place="Sylmar")
    assert client.get("/stories/").content.decode().count('href="/places/sylmar/"') == 2


@pytest.fixture
def kept(settings):
    """Fragments kept, and stamps copied into the process per generation, as in production."""
    settings.FRAGMENT_CACHE_SECONDS = 86400
    settings.COUNTS_CACHE_SECONDS = 60


def test_a_fragment_made_during_a_change_is_never_served_after_it(story, kept):
    made = []

    def made_during_a_change(story_ids):
        made.append(list(story_ids))
        saved(story, body="Redacted meanwhile. " * 5)  # as the receivers see a redaction
        return {pk: f"made {len(made)}" for pk in story_ids}

    def quietly_made(story_ids):
        made.append(list(story_ids))
        return {pk: f"made {len(made)}" for pk in story_ids}

    fragments.kept_per_story("test", [story.pk], made_during_a_change)
    assert fragments.kept_per_story("test", [story.pk], quietly_made) == {story.pk: "made 2"}
    # The control: made quietly, it is served from the cache.
    assert fragments.kept_per_story("test", [story.pk], quietly_made) == {story.pk: "made 2"}
    assert len(made) == 2


def test_a_new_release_keys_every_fragment_afresh(story, kept, monkeypatch):

    def make(story_ids):
        return dict.fromkeys(story_ids, "old release")

    fragments.kept_per_story("test", [story.pk], make)
    monkeypatch.setattr(fragments, "release", lambda: "another")
    kept = fragments.kept_per_story("test", [story.pk], lambda ids: dict.fromkeys(ids, "new"))
    assert kept == {story.pk: "new"}


def test_a_lost_stamp_is_taken_afresh_and_never_serves_an_old_fragment(story, kept):
    fragments.kept_per_story("test", [story.pk], lambda ids: dict.fromkeys(ids, "first"))
    caches["pages"].delete(fragments.stamp_key(story.pk))  # evicted
    make_published(title="Zqnewcomer")  # a new generation: the process reads the stamps again
    again = fragments.kept_per_story("test", [story.pk], lambda ids: dict.fromkeys(ids, "second"))
    assert again == {story.pk: "second"}


@pytest.fixture
def keys_read(monkeypatch):
    """The keys each read of fragments asked the shared cache for, one list a read."""
    reads = []
    # On the backend's class: the "pages" alias is a proxy, and Redis's client is per thread.
    backend = type(caches["pages"])
    real = backend.get_many

    def spy(self, keys, *args, **kwargs):
        keys = list(keys)
        if any(key.startswith("fragment:") for key in keys):
            reads.append(keys)
        return real(self, keys, *args, **kwargs)

    monkeypatch.setattr(backend, "get_many", spy)
    return reads


def test_a_process_reads_each_stamp_once_a_generation(story, neighbour, kept, keys_read):
    stamps = {fragments.CURATION_KEY, *map(fragments.stamp_key, (story.pk, neighbour.pk))}
    for story_ids in ([story.pk], [story.pk, neighbour.pk], [neighbour.pk]):
        fragments.kept_per_story("test", story_ids, lambda ids: dict.fromkeys(ids, "card"))
    first, second, third = (stamps.intersection(keys) for keys in keys_read)
    assert first == {fragments.CURATION_KEY, fragments.stamp_key(story.pk)}
    assert second == {fragments.stamp_key(neighbour.pk)}
    assert third == set()
    keys_read.clear()
    saved(neighbour, title="Zqneighbour retitled")  # a new generation
    kept = fragments.kept_per_story("test", [neighbour.pk], lambda ids: dict.fromkeys(ids, "new"))
    assert kept == {neighbour.pk: "new"}
    assert {fragments.CURATION_KEY, fragments.stamp_key(neighbour.pk)} <= set(keys_read[-1])


def test_a_stamp_renewed_without_a_new_generation_is_read_once_its_copy_is_old(
    story, kept, monkeypatch
):
    """Only a failed write of the generation renews a shown story's stamp alone: what the
    process copied then serves the old fragment no longer than the counts it copies."""
    fragments.kept_per_story("test", [story.pk], lambda ids: dict.fromkeys(ids, "first"))
    fragments.renew_stamps([story.pk])
    later = fragments.time.monotonic() + 61
    monkeypatch.setattr(fragments.time, "monotonic", lambda: later)
    again = fragments.kept_per_story("test", [story.pk], lambda ids: dict.fromkeys(ids, "second"))
    assert again == {story.pk: "second"}


def test_with_counts_off_every_stamp_is_read_each_time(story, kept, settings, keys_read):
    settings.COUNTS_CACHE_SECONDS = 0
    for _ in range(2):
        fragments.kept_per_story("test", [story.pk], lambda ids: dict.fromkeys(ids, "card"))
    assert all(fragments.stamp_key(story.pk) in keys for keys in keys_read)


def test_pages_are_served_while_the_cache_cannot_be_reached(
    client, story, caching, monkeypatch, caplog
):
    def unreachable(*args, **kwargs):
        raise ConnectionError("the cache is down")

    # On the backend's class: the "pages" alias is a proxy, and Redis's client is per thread.
    backend = type(caches["pages"])
    monkeypatch.setattr(backend, "get_many", unreachable)
    monkeypatch.setattr(backend, "set_many", unreachable)
    for url in pages_showing(story):
        assert client.get(url).status_code == 200, url
    assert "Zqkept" in client.get("/stories/").content.decode()
    assert "Could not read fragments" in caplog.text


def test_with_fragments_off_every_card_is_rendered_each_time(client, story, render_spy, settings):
    settings.FRAGMENT_CACHE_SECONDS = 0
    client.get("/stories/")
    client.get("/stories/")
    assert render_spy == [story.pk, story.pk]
