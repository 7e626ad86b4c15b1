"""
The most important test in the project: nothing that is not published, and no
narrator's private detail, reaches any public road.

Roads are taken from the URLconf (so a new page is covered or this test fails
until it is) and from a crawl that follows every link from the home pages.
"""

import datetime
import json

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.translation import override

from stories.models import (
    DataRequest,
    IndexSegment,
    Perspective,
    Report,
    Story,
    StoryLink,
    Theme,
    hash_withdrawal_token,
    place_key,
)
from stories.opendata.sitemaps import SITEMAPS
from stories.pages.share_steps import STEPS
from stories.safety import privacy
from stories.search import results

from .crawling import body_of, crawl
from .factories import give_recording, make_published
from .readers import names_kept_anonymous, secret_values

pytestmark = pytest.mark.django_db


CACHING = {
    # name: (PAGE_CACHE_SECONDS, COUNTS_CACHE_SECONDS, FRAGMENT_CACHE_SECONDS)
    "no cache": (0, 0, 0),
    "fragments, no page cache": (0, 60, 86400),
    "page cache": (60, 60, 86400),
}


@pytest.fixture(autouse=True, params=CACHING)
def caching(request, settings):
    """Every road is checked as rendered, as made from kept fragments and counts, and as
    the page cache serves it."""
    (
        settings.PAGE_CACHE_SECONDS,
        settings.COUNTS_CACHE_SECONDS,
        settings.FRAGMENT_CACHE_SECONDS,
    ) = CACHING[request.param]


@pytest.fixture(autouse=True)
def every_place_listed(settings):
    """A place with one published story gets its page here, so that place pages are read."""
    settings.PLACE_MIN_STORIES = 1


def every_secret_value():
    """Every secret value of every row of every model holding narrator words or hashes.

    A model with nothing secret is not read: the search index's table is SQLite's alone.
    """
    return {
        value
        for name in privacy.NARRATOR_MODELS
        for model in [apps.get_model("stories", name)]
        if privacy.secret_fields(model) or names_kept_anonymous(model)
        for value in secret_values(model, model.objects.all())
    }


# Roads that are not public, or not pages: never crawled for content.


def route_names(resolver=None, namespace=""):
    """Every named route of the site, as (full name, pattern), admin excluded."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from route_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


@pytest.fixture
def archive(every_state_archive):
    """One story in every state, each with private details and a marker word, and what
    no public road may show of them."""
    states = every_state_archive
    visible = states["visible"]
    hidden_stories = [story for state, story in states.items() if state != "visible"]
    # A place only hidden stories name: never listed, counted or linked (its key alone,
    # in lower case, is what the language link repeats of an address asked for).
    Story.objects.filter(pk__in=[s.pk for s in hidden_stories]).update(place="Zqhiddenplace")
    # A pending narrator who asked to stay anonymous, and gave a name.
    Story.objects.filter(pk=states["pending"].pk).update(
        is_anonymous=True, narrator_name="Zqanonpending Name"
    )
    # A theme the hidden stories carry, with a visible story in it too.
    visible.themes.add(Theme.objects.get(slug="community-trust"))
    anonymous = make_published(
        title="Another visible story", perspective="critics", themes=["public-safety"]
    )
    # An anonymous narrator's name, should one ever stay in the row after approval.
    Story.objects.filter(pk=anonymous.pk).update(is_anonymous=True, narrator_name="Zqanonvisible")
    # A moderator linked the visible story to one that has since left the site.
    StoryLink.objects.create(
        from_story=visible, relation=StoryLink.Relation.RESPONDS_TO, to_story=states["returned"]
    )
    StoryLink.objects.create(
        from_story=states["embargoed"], relation=StoryLink.Relation.SAME_EVENT, to_story=visible
    )
    # Recordings: each hidden story's, with a transcript holding its marker; and a
    # visible story's that no moderator has cleared, whose transcript is private too.
    for story in (states[state] for state in ("pending", "rejected", "returned", "embargoed")):
        marker = story.body.split()[0]
        give_recording(story, cleared=True, transcript=[(0, f"{marker}transcript")])
    give_recording(visible, cleared=True, transcript=[(0, "Heard"), (5, "Said later")])
    give_recording(anonymous, cleared=False, transcript=[(0, "zquncleared transcript")])
    # A voice kept private, cleared and transcribed, on a visible story: the
    # transcript is public, the audio is never served, its address never written.
    voice_private = make_published(title="Transcript only story", perspective="critics")
    give_recording(voice_private, cleared=True, transcript=[(0, "Zqvoiceprivate words")])
    voice_private.keep_voice_private()
    # Translations and an index, with a marker in every text: on each hidden story (the
    # withdrawn one with a cleared recording too), and on the visible story whose recording
    # no moderator cleared. The visible and the voice kept private have theirs in the open.
    give_recording(states["withdrawn"], cleared=True, transcript=[(0, "zqwithdrawntranscript")])
    index_markers = {story: f"zqindex{story.pk}x" for story in [*hidden_stories, anonymous]}
    for story, marker in index_markers.items():
        index_and_translate(story, marker)
    index_and_translate(visible, "Zqpublicindex")
    index_and_translate(voice_private, "Zqvoiceprivateindex", themes=("community-trust",))
    Report.file(
        visible,
        reason=Report.Reason.OTHER,
        details="zqreportdetails",
        email="zqreporter@example.org",
        reporter_hash="f" * 64,
    )
    # A request for data, whose notes name a story: readers see its count alone.
    DataRequest.objects.create(
        received_on=datetime.date(2026, 3, 1),
        requester=DataRequest.Requester.IMMIGRATION,
        notes=f"zqdatarequestnote about story {visible.pk}",
    )
    forbidden = {
        "zqdatarequestnote",
        "Zqhiddenplace",
        *(s.title.split()[1] for s in hidden_stories),
        *(s.body.split()[0] for s in hidden_stories),
        *(s.summary for s in hidden_stories),
        # The private fields of every row (stories, reports, recordings' files...).
        *every_secret_value(),
        *(f"{s.body.split()[0]}transcript" for s in hidden_stories if s.body),
        "zquncleared",
        # Hidden stories' indexes and translations; the uncleared recording's index.
        *index_markers.values(),
        # A recording is not linked for a story whose recording is not heard.
        *(f"/recordings/{s.pk}/" for s in [*hidden_stories, anonymous, voice_private]),
    }
    return {
        "visible": visible,
        "voice private": voice_private,
        "hidden": hidden_stories,
        # Hidden stories readers once saw: deleted OAI-PMH records; a withdrawn one answers 410.
        "seen": [states["withdrawn"], states["returned"]],
        "gone": [states["withdrawn"]],
        "forbidden": forbidden,
    }


def index_and_translate(story, marker, *, themes=("community-trust", "public-safety")):
    """Give ``story`` the archive's translations and a recording's index, every text holding
    ``marker``: its segment is a passage on ``themes``. (The story's own translation is
    public with the story, whatever its recording: marked only on a story readers never see.)"""
    story_marker = "Visible" if story.is_visible else marker
    Story.objects.filter(pk=story.pk).update(
        title_translation=f"{story_marker}titletranslation",
        body_translation=f"{story_marker}bodytranslation",
        summary_translation=f"{story_marker}summarytranslation",
    )
    story.transcript.update(text_translation=f"{marker}transcripttranslation")
    segment = IndexSegment(
        start=datetime.timedelta(seconds=2),
        title=f"{marker}segmenttitle",
        synopsis=f"{marker}segmentsynopsis",
        keywords=f"{marker}segmentkeyword, other",
        title_translation=f"{marker}segmenttitletranslation",
        synopsis_translation=f"{marker}segmentsynopsistranslation",
        keywords_translation=f"{marker}segmentkeywordtranslation",
    )
    segment.theme_ids = list(Theme.objects.filter(slug__in=themes).values_list("pk", flat=True))
    IndexSegment.replace_index(story, [segment])


def sample_kwargs(name, archive):
    """Values to fill each route's parameters with, hidden stories' slugs included."""
    story_slugs = [s.slug for s in Story.objects.exclude(slug=None)] + ["no-such-story"]
    story_ids = [*Story.objects.values_list("pk", flat=True), 999_999]
    perspective_slugs = [
        {"slug": slug} for slug in Perspective.objects.values_list("slug", flat=True)
    ]
    theme_slugs = [{"slug": slug} for slug in Theme.objects.values_list("slug", flat=True)]
    place_slugs = [
        {"slug": place_key(place)}
        for place in Story.objects.exclude(place="").values_list("place", flat=True)
    ] + [{"slug": "no-such-place"}]
    options = {
        "stories:story-detail": [{"slug": slug} for slug in story_slugs],
        "stories:perspective-detail": perspective_slugs,
        "stories:theme-detail": theme_slugs,
        "stories:place-detail": place_slugs,
        "stories:report": [{"slug": slug} for slug in story_slugs],
        "story-permalink": [{"story_id": pk} for pk in story_ids],
        "stories:story-embed": [{"story_id": pk} for pk in story_ids],
        "story-citation": [
            {"story_id": pk, "extension": extension}
            for pk in story_ids
            for extension in ("bib", "ris", "txt")
        ],
        "feed-perspective-rss": perspective_slugs,
        "feed-perspective-atom": perspective_slugs,
        "feed-theme-rss": theme_slugs,
        "feed-theme-atom": theme_slugs,
        "sitemap-section": [{"section": name} for name in (*SITEMAPS, "nonsense")],
        "api-story": [{"story_id": pk} for pk in story_ids],
        "story-recording": [{"story_id": pk} for pk in story_ids],
        "story-captions": [{"story_id": pk} for pk in story_ids],
        "story-chapters": [{"story_id": pk} for pk in story_ids],
        "story-captions-translation": [{"story_id": pk} for pk in story_ids],
        "story-transcript-text": [{"story_id": pk} for pk in story_ids],
        "story-transcript-webvtt": [{"story_id": pk} for pk in story_ids],
        "story-transcript-translation-text": [{"story_id": pk} for pk in story_ids],
        "story-transcript-translation-webvtt": [{"story_id": pk} for pk in story_ids],
        "api-not-found": [{"rest": "stories/hidden"}],
        "iiif-manifest": [{"story_id": pk} for pk in story_ids],
        "iiif-theme-collection": theme_slugs,
        "iiif-perspective-collection": perspective_slugs,
        # Wrong links only: a right one is the narrator's own page, tested in test_private_page.
        "stories:withdraw": [{"token": "no-such-token"}, {"token": "x" * 43}],
        "stories:private-link": [{"token": "no-such-token"}, {"token": "x" * 43}],
        # Without a draft of this session's own, every step leads back to the first page.
        "stories:share-step": [{"slug": step.slug} for step in STEPS] + [{"slug": "nonsense"}],
    }
    return options.get(name, [{}])


def assert_nothing_private(url, response, forbidden):
    assert response.status_code < 500, url
    text = body_of(response).decode(errors="replace")
    for secret in forbidden:
        assert secret not in text, f"{secret!r} leaked on {url}"


def test_every_route_in_the_urlconf_hides_what_is_not_public(client, archive):
    routes = dict(route_names())
    assert "stories:story-detail" in routes
    checked = 0
    for name, pattern in routes.items():
        for kwargs in sample_kwargs(name, archive):
            for language in ("en", "es"):
                with override(language):
                    try:
                        url = reverse(name, kwargs=kwargs)
                    except Exception as error:  # a new route with unknown parameters
                        pytest.fail(
                            f"Add sample parameters for {name} ({pattern.pattern}): {error}"
                        )
                query_strings = [
                    "",
                    "?language=en",
                    "?theme=public-safety&perspective=immigrants",
                    # Every hidden story's title has "Hidden" in it.
                    "?q=hidden",
                    "?q=zqpending&page_size=100",
                ]
                for query in query_strings:
                    response = client.get(url + query)
                    assert_nothing_private(url + query, response, archive["forbidden"])
                    checked += 1
    assert checked > 100


def test_oembed_cards_only_visible_stories(client, archive):
    """/oembed, asked for every address of every story in every state (the URLconf test
    above asks it without one); the embed page is requested there, by every story's number."""
    hidden = {story.pk for story in archive["hidden"]}
    answered = set()
    for story in Story.objects.all():
        addresses = [f"/s/{story.pk}/", f"/embed/{story.pk}/", f"/es/embed/{story.pk}/"]
        if story.slug:
            addresses += [f"/stories/{story.slug}/", f"/es/stories/{story.slug}/"]
        for address in addresses:
            url = f"/oembed?url=http://testserver{address}&format=json"
            response = client.get(url)
            assert_nothing_private(url, response, archive["forbidden"])
            if story.pk in hidden:
                assert response.status_code == 404, url
            else:
                assert response.status_code == 200, url
                answered.add(story.pk)
    assert archive["visible"].pk in answered and archive["voice private"].pk in answered
    # The card of a voice kept private has no player, and names no recording.
    voice_private = archive["voice private"].pk
    for prefix in ("", "/es"):
        html = client.get(f"{prefix}/embed/{voice_private}/").content.decode()
        assert "<audio" not in html and f"/recordings/{voice_private}/" not in html
    assert f'src="/recordings/{archive["visible"].pk}/"' in (
        client.get(f"/embed/{archive['visible'].pk}/").content.decode()
    )


def test_compared_voices_quote_only_visible_stories(client, archive):
    # The theme page's "Compare two voices" (?compare=&with=) quotes a story per
    # perspective, featured ones first: hidden stories featured are never among them.
    Story.objects.exclude(pk__in=Story.objects.published()).update(featured=True)
    slugs = list(Perspective.objects.values_list("slug", flat=True))
    for theme in Theme.objects.values_list("slug", flat=True):
        for language in ("en", "es"):
            with override(language):
                url = reverse("stories:theme-detail", kwargs={"slug": theme})
            for one, other in zip(slugs, slugs[1:] + slugs[:1], strict=True):
                address = f"{url}?compare={one}&with={other}"
                response = client.get(address)
                assert_nothing_private(address, response, archive["forbidden"])


def test_private_links_lead_to_a_page_with_nothing_private(client, archive):
    """A link only moves its token into the session; the page it leads to answers.

    Wrong links, new and as emailed before the private page. (A right link
    leads to the narrator's own page, in test_private_page.)
    """
    for prefix in ("", "/es"):
        for address in ("my-story", "withdraw"):
            for token in ("no-such-token", "x" * 43):
                response = client.get(f"{prefix}/{address}/{token}/", follow=True)
                assert response.redirect_chain == [(f"{prefix}/my-story/", 302)]
                assert response.status_code == 404
                assert_nothing_private(
                    f"{prefix}/my-story/ ({token})", response, archive["forbidden"]
                )


def test_a_private_page_is_never_kept_by_the_page_cache(client, archive, settings):
    """The narrator's own page shows their story whatever its state: only to their session."""
    rejected = next(s for s in archive["hidden"] if s.status == Story.Status.REJECTED)
    token = "zqrejectedlink" + "x" * 30
    Story.objects.filter(pk=rejected.pk).update(withdrawal_token_hash=hash_withdrawal_token(token))
    narrator = Client()
    own = narrator.get(f"/my-story/{token}/", follow=True)
    assert own.status_code == 200 and rejected.title in own.content.decode()
    assert "zqnotetonarrator" in own.content.decode()  # the note meant for them
    for url in (
        "/my-story/",
        "/my-story/correction/",
        "/my-story/withdraw/",
        "/my-story/card.svg",
        "/my-story/licence/",
    ):
        narrator.get(url)
        stranger = client.get(url)  # the same address, from another browser
        assert stranger.status_code in (302, 404), url
        assert "no-store" in stranger["Cache-Control"], url
        assert_nothing_private(url, stranger, {*archive["forbidden"], token})
        assert "no-store" in narrator.get(url)["Cache-Control"], url


def test_hidden_stories_have_no_public_address(client, archive):
    for story in archive["hidden"]:
        expected = 410 if story in archive["gone"] else 404
        if story.slug:
            response = client.get(f"/stories/{story.slug}/")
            assert response.status_code == expected, story.title
        assert client.get(f"/s/{story.pk}/").status_code == expected, story.title
    assert client.get(archive["visible"].get_absolute_url()).status_code == 200
    # A place only hidden stories name has no page; the visible story's place has one.
    assert client.get("/places/zqhiddenplace/").status_code == 404
    assert client.get("/places/boyle-heights/").status_code == 200


def test_crawl_from_the_home_pages_finds_nothing_private(client, archive):
    seen = set()
    for url, response, body in crawl(client):
        seen.add(url)
        assert response.status_code < 500, url
        text = body.decode(errors="replace")
        for secret in archive["forbidden"]:
            assert secret not in text, f"{secret!r} leaked on {url}"
    assert any(archive["visible"].slug in url for url in seen)
    assert f"/recordings/{archive['visible'].pk}/" in seen
    # Its IIIF manifest, linked from its page; none for a voice kept private.
    assert f"/iiif/{archive['visible'].pk}/manifest.json" in seen
    assert f"/iiif/{archive['voice private'].pk}/manifest.json" not in seen
    assert {"/places/", "/places/boyle-heights/", "/timeline/"} <= seen
    assert len(seen) > 40
    assert not any(s.slug and s.slug in url for s in archive["hidden"] for url in seen)
    assert not any("/my-story/" in url for url in seen)  # no public page leads to a private one


def test_search_finds_no_hidden_story_by_any_of_its_words(client, archive):
    """Search echoes the reader's own words, so here the check is what it finds."""
    searchable = {
        *(word for story in archive["hidden"] for word in story.title.split()),
        *(story.body.split()[0] for story in archive["hidden"]),
        *(story.summary for story in archive["hidden"]),
        "zqsuggested",
        *(story.contact_email for story in Story.objects.all()),
        *(story.moderator_notes for story in Story.objects.all()),
    }
    hidden_pks = {story.pk for story in archive["hidden"]}
    for query in searchable:
        assert not hidden_pks & set(
            results.search(Story.objects.published(), query).values_list("pk", flat=True)
        )
        for prefix in ("", "/es"):
            response = client.get(f"{prefix}/search/", {"q": query})
            assert response.status_code == 200
            assert not hidden_pks & {story.pk for story in response.context["stories"]}, query
            echoed = {secret for secret in archive["forbidden"] if secret in query}
            for secret in archive["forbidden"] - echoed:
                assert secret not in response.content.decode(), (query, secret)


def test_only_a_visible_storys_translations_are_shown(client, archive):
    """The archive's translations go where the words they translate go, and nowhere else."""
    visible = archive["visible"]
    # Told in English: its Spanish translation is read on the Spanish site.
    html = client.get("/es" + visible.get_absolute_url()).content.decode()
    assert "Visibletitletranslation" in html and "Visiblebodytranslation" in html
    assert "Zqpublicindextranscripttranslation" in html
    captions = client.get(f"/recordings/{visible.pk}/captions.translation.vtt")
    assert captions.status_code == 200
    assert "Zqpublicindextranscripttranslation" in captions.content.decode()
    # Each hidden story has a cleared recording with a translated transcript, or none at all.
    for story in archive["hidden"]:
        path = f"/recordings/{story.pk}/captions.translation.vtt"
        assert client.get(path).status_code == 404, path


def test_a_voice_kept_private_is_never_served_but_its_transcript_is_read(client, archive):
    """DESIGN.md: "A voice kept private is never served", on any road, cleared or not."""
    story = archive["voice private"]
    assert story.recording.is_cleared and story.is_visible
    for path in (
        f"/recordings/{story.pk}/",
        f"/recordings/{story.pk}/captions.vtt",
        f"/recordings/{story.pk}/captions.translation.vtt",
    ):
        assert client.get(path).status_code == 404
        assert client.get(path, HTTP_RANGE="bytes=0-3").status_code == 404
        assert client.head(path).status_code == 404
    for prefix in ("", "/es"):
        html = client.get(prefix + story.get_absolute_url()).content.decode()
        assert "Zqvoiceprivate words" in html
        assert "<audio" not in html
        assert story.recording.stored_as not in html
        assert f"/recordings/{story.pk}/" not in html
    # What it said is public: its transcript downloads, the WebVTT without the audio's length.
    text = client.get(f"/transcripts/{story.pk}.txt")
    assert text.status_code == 200 and "Zqvoiceprivate words" in text.content.decode()
    webvtt = client.get(f"/transcripts/{story.pk}.vtt").content.decode()
    assert "Zqvoiceprivate words" in webvtt
    assert "00:00:00.000 --> 00:00:05.000" in webvtt
    # Its index too, beside its transcript and as chapters (no player to carry them).
    chapters = client.get(f"/recordings/{story.pk}/chapters.vtt")
    assert chapters.status_code == 200
    assert "Zqvoiceprivateindexsegmenttitle" in chapters.content.decode()
    assert (
        "Zqvoiceprivateindexsegmenttitle" in client.get(story.get_absolute_url()).content.decode()
    )


def test_search_facets_count_only_visible_stories(client, archive):
    response = client.get("/search/")
    facets = response.context["facets"]
    assert sum(p.matching_count for p in facets["perspectives"]) == 3
    assert {t.slug: t.matching_count for t in facets["themes"]} == {
        "public-safety": 2,
        "community-trust": 1,
    }
    assert sum(language.matching_count for language in facets["languages"]) == 3


def test_oai_pmh_shows_a_hidden_story_at_most_as_a_deleted_header(client, archive):
    from lxml import etree

    ns = {"oai": "http://www.openarchives.org/OAI/2.0/"}
    hidden_ids = {str(story.pk) for story in archive["hidden"]}
    for verb in ("ListRecords", "ListIdentifiers"):
        response = client.get("/oai/", {"verb": verb, "metadataPrefix": "oai_dc"})
        assert_nothing_private("/oai/", response, archive["forbidden"])
        tree = etree.fromstring(response.content)
        deleted = set()
        for header in tree.iterfind(".//oai:header", ns):
            story_id = header.findtext("oai:identifier", namespaces=ns).rsplit("/", 1)[1]
            if story_id in hidden_ids:
                assert header.get("status") == "deleted"
                assert not header.findall("oai:setSpec", ns)
                deleted.add(story_id)
        # A story nobody ever saw is no record at all, not even a deleted one.
        assert deleted == {str(story.pk) for story in archive["seen"]}, verb
    for story in archive["hidden"]:
        response = client.get(
            "/oai/",
            {
                "verb": "GetRecord",
                "metadataPrefix": "oai_dc",
                "identifier": f"oai:perspectives.example.org:story/{story.pk}",
            },
        )
        assert_nothing_private("/oai/", response, archive["forbidden"])
        assert b"<metadata" not in response.content and b":metadata" not in response.content


def test_indexes_and_translations_are_public_only_with_their_story_and_transcript(client, archive):
    """The checks above would pass with no index shown at all: here the public ones are."""
    visible, voice_private = archive["visible"], archive["voice private"]
    for prefix in ("", "/es"):
        page = client.get(f"{prefix}/themes/community-trust/").content.decode()
        assert "Zqpublicindexsegment" in page and "Zqvoiceprivateindexsegment" in page
        assert f'href="{visible.get_absolute_url()}#t=2.000"' in page
        assert f'href="{voice_private.get_absolute_url()}#t=2.000"' in page
    record = client.get(f"/api/v1/stories/{visible.pk}/").json()
    assert [segment["title"] for segment in record["segments"]] == ["Zqpublicindexsegmenttitle"]
    assert record["translation"]["transcript"][0]["text"] == "Zqpublicindextranscripttranslation"
    assert record["chapters"].endswith(f"/recordings/{visible.pk}/chapters.vtt")
    assert client.get(f"/recordings/{visible.pk}/chapters.vtt").status_code == 200
    # A voice kept private: its index is read, its chapters are never linked under /recordings/.
    record = client.get(f"/api/v1/stories/{voice_private.pk}/").json()
    assert record["segments"] and record["chapters"] is None
    exported = json.loads(body_of(client.get("/export/stories.json")))
    exported = {row["id"]: row for row in exported}
    assert exported[visible.pk]["segments"][0]["themes"] == ["community-trust", "public-safety"]
    assert exported[voice_private.pk]["segments"][0]["synopsis"] == (
        "Zqvoiceprivateindexsegmentsynopsis"
    )
