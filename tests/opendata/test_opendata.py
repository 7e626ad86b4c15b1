"""Open data: feeds, the sitemap, exports, Dublin Core, citations and permanent addresses."""

import csv
import datetime
import io
import json
import time

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import parse_http_date
from lxml import etree

from stories.models import Story, Theme
from stories.opendata import citations, records
from stories.pagecache import store

from ..factories import make_published, make_story
from ..readers import queries_made

pytestmark = pytest.mark.django_db

SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def archive(every_state_archive):
    """A story in every state, and a second visible one, in Spanish, by an anonymous narrator."""
    anonymous = make_published(
        title="Historia anónima", language="es", themes=["legal-aid"], is_anonymous=True
    )
    Story.objects.filter(pk=anonymous.pk).update(narrator_name="Zqtypedname")
    return {**every_state_archive, "anonymous": anonymous}


# --- Feeds ---


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_the_archive_feed_lists_published_stories_only(client, archive, kind):
    feed = feedparser.parse(body(client.get(f"/feeds/stories.{kind}")))
    assert not feed.bozo, feed.bozo_exception
    titles = [entry.title for entry in feed.entries]
    assert titles == ["Historia anónima", "Visible story"]
    entry = feed.entries[1]
    assert entry.link == "http://testserver" + archive["visible"].get_absolute_url()
    assert entry.id == f"http://testserver/s/{archive['visible'].pk}/"
    assert entry.summary == "A visible summary."
    assert {tag.term for tag in entry.tags} >= {"Critics", "Public safety"}
    assert feed.entries[0].author == "Anonymous"


def test_subscribing_to_a_theme_feed_shows_a_newly_approved_story(client, archive, page_cache):
    url = "/feeds/themes/public-safety.atom"
    before = feedparser.parse(body(client.get(url)))
    assert [entry.title for entry in before.entries] == ["Visible story"]
    archive["pending"].approve(by=None)
    after = feedparser.parse(body(client.get(url)))
    assert [entry.title for entry in after.entries] == [archive["pending"].title, "Visible story"]
    assert feedparser.parse(body(client.get("/feeds/themes/legal-aid.rss"))).entries[0].title == (
        "Historia anónima"
    )
    assert client.get("/feeds/themes/no-such-theme.rss").status_code == 404


def test_perspective_feeds_and_the_pages_that_link_to_them(client, archive):
    feed = feedparser.parse(body(client.get("/feeds/perspectives/critics.rss")))
    assert [entry.title for entry in feed.entries] == ["Visible story"]
    home = client.get("/").content.decode()
    assert 'type="application/rss+xml"' in home and 'href="/feeds/stories.rss"' in home
    assert (
        'href="/feeds/perspectives/critics.atom"'
        in client.get("/es/perspectives/critics/").content.decode()
    )
    assert (
        'href="/feeds/themes/public-safety.rss"'
        in client.get("/themes/public-safety/").content.decode()
    )


# --- Sitemap ---


def test_the_sitemap_lists_every_public_page_in_both_languages(client, archive):
    index = etree.fromstring(body(client.get("/sitemap.xml")))
    sections = [loc.text for loc in index.iterfind("s:sitemap/s:loc", SITEMAP)]
    assert len(sections) == 4
    addresses = set()
    for section in sections:
        urlset = etree.fromstring(body(client.get(section.removeprefix("http://testserver"))))
        for url in urlset.iterfind("s:url", SITEMAP):
            addresses.add(url.findtext("s:loc", namespaces=SITEMAP))
            if "/stories/visible-story/" in url.findtext("s:loc", namespaces=SITEMAP):
                assert url.findtext("s:lastmod", namespaces=SITEMAP)
                hreflangs = {link.get("hreflang") for link in url.iterfind("x:link", SITEMAP)}
                assert hreflangs == {"en", "es", "x-default"}
    for path in ("/stories/visible-story/", "/es/stories/visible-story/", "/es/", "/themes/"):
        assert "http://testserver" + path in addresses
    hidden = [story for state, story in archive.items() if state not in ("visible", "anonymous")]
    assert not any(story.slug in address for story in hidden if story.slug for address in addresses)


# --- Exports ---


def test_the_csv_and_json_exports_hold_every_published_story_and_nothing_private(client, archive):
    csv_response = client.get("/export/stories.csv")
    assert csv_response.streaming and csv_response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body(csv_response).decode("utf-8-sig"))))
    json_rows = json.loads(body(client.get("/export/stories.json")))
    for exported in (rows, json_rows):
        assert sorted(row["title"] for row in exported) == ["Historia anónima", "Visible story"]
    visible = next(row for row in json_rows if row["title"] == "Visible story")
    assert visible["themes"] == ["Public safety"] and visible["place"] == "Boyle Heights"
    assert visible["identifier"] == f"http://testserver/s/{archive['visible'].pk}/"
    everything = body(csv_response).decode() + json.dumps(json_rows)
    for private in ("private@example.org", "Private note", "Zqtypedname", archive["pending"].title):
        assert private not in everything
    index = json.loads(client.get("/export/").content)
    assert index["formats"]["csv"] == "http://testserver/export/stories.csv"


def test_the_export_reads_the_archive_in_chunks(client, django_assert_max_num_queries):
    for n in range(3):
        make_published(title=f"Story {n}", themes=["public-safety"])
    with django_assert_max_num_queries(4):
        assert len(json.loads(body(client.get("/export/stories.json")))) == 3


# --- Dublin Core ---


def test_a_story_maps_onto_dublin_core(archive):
    story = records.public_stories().get(pk=archive["visible"].pk)
    elements = records.PublicRecord.of(story).dublin_core("https://archive.example")
    assert elements == [
        ("title", "Visible story"),
        ("creator", story.narrator_name),
        ("subject", "Public safety"),
        ("subject", "Critics"),
        ("description", "A visible summary."),
        ("publisher", "Perspectives: an oral-history archive of Los Angeles as a sanctuary city"),
        ("date", timezone.localtime(story.published_at).date().isoformat()),
        ("type", "Text"),
        ("type", "Oral history"),
        ("format", "text/html"),
        ("language", "en"),
        ("coverage", "Boyle Heights, Los Angeles"),
        ("coverage", "2017"),
        ("rights", "http://rightsstatements.org/vocab/InC/1.0/"),
        ("rights", "All rights reserved: quote with credit, ask before republishing"),
        ("identifier", f"https://archive.example/s/{story.pk}/"),
    ]
    Story.objects.filter(pk=story.pk).update(persistent_identifier="doi:10.5072/x.1")
    story = records.public_stories().get(pk=story.pk)
    elements = records.PublicRecord.of(story).dublin_core("https://archive.example")
    assert elements[-2:] == [
        ("identifier", f"https://archive.example/s/{story.pk}/"),
        ("identifier", "https://doi.org/10.5072/x.1"),
    ]
    anonymous = records.public_stories().get(pk=archive["anonymous"].pk)
    assert ("creator", "Anonymous") in records.PublicRecord.of(anonymous).dublin_core("")


def test_a_record_cannot_reach_a_private_field(archive):
    story = records.public_stories().get(pk=archive["visible"].pk)
    record = records.PublicRecord.of(story)
    with CaptureQueriesContext(connection) as queries:
        records.PublicRecord.of(story)
    assert len(queries) == 0  # nothing deferred was loaded to make it
    assert "private@example.org" not in repr(record) and "Private note" not in repr(record)
    assert not hasattr(record, "contact_email")


# --- Citations and permanent addresses ---


def test_the_story_page_offers_citations_and_citation_files(client, archive):
    story = archive["visible"]
    Story.objects.filter(pk=story.pk).update(
        published_at=datetime.datetime(2025, 3, 7, 12, tzinfo=datetime.UTC)
    )
    story.refresh_from_db()
    page = client.get(story.get_absolute_url()).content.decode()
    name = story.narrator_name
    url = f"http://testserver/s/{story.pk}/"
    assert (
        f"{name}. “Visible story.” Perspectives: an oral-history archive of Los Angeles as a "
        f"sanctuary city, March 7, 2025. {url}." in page
    )
    assert f"{name}. (2025, March 7). Visible story [Oral history]." in page
    # The styles are English ones: the Spanish page cites in English too, marked as such.
    spanish = client.get("/es" + story.get_absolute_url()).content.decode()
    assert '<dd class="citation" lang="en">' in spanish and "March 7, 2025" in spanish
    assert f"7 Mar. 2025, {url}." in page
    bib = client.get(f"/s/{story.pk}/cite.bib")
    assert bib["Content-Disposition"] == f'attachment; filename="perspectives-{story.pk}.bib"'
    assert "title = {Visible story}" in bib.content.decode()
    assert f"author = {{{{{name}}}}}" in bib.content.decode()
    ris = client.get(f"/s/{story.pk}/cite.ris").content.decode()
    assert ris.startswith("TY  - GEN\r\n") and "UR  - " + url in ris and ris.endswith("ER  -\r\n")


def test_citation_files_cannot_be_broken_by_a_title(archive):
    story = records.public_stories().get(pk=archive["visible"].pk)
    record = records.PublicRecord.of(story)
    hostile = records.PublicRecord(**{**record.__dict__, "title": "Evil} @misc{x,\nER  - \\"})
    bib = citations.bibtex(hostile, "")
    assert bib.count("@misc{") == 1 and "title = {Evil) @misc(x,\nER  - }" in bib
    ris = citations.ris(hostile, "")
    assert ris.count("ER  -") == 1 and "TI  - Evil} @misc{x, ER - \\" in ris


def test_bibtex_escapes_what_latex_would_read_as_markup(archive):
    story = records.public_stories().get(pk=archive["visible"].pk)
    record = records.PublicRecord.of(story)
    titled = records.PublicRecord(
        **{**record.__dict__, "title": "Rent & raids: 100% of us, $5, #1, my_name ~ ^"}
    )
    bib = citations.bibtex(titled, "https://archive.example")
    assert (
        r"title = {Rent \& raids: 100\% of us, \$5, \#1, my\_name "
        r"\textasciitilde{} \textasciicircum{}}" in bib
    )
    # The address is left as it is: \url reads it literally.
    assert f"url = {{https://archive.example/s/{story.pk}/}}" in bib


def test_permanent_addresses_lead_to_the_story_while_it_is_public(client, archive):
    visible = client.get(f"/s/{archive['visible'].pk}/")
    assert visible.status_code == 302 and visible["Location"] == "/stories/visible-story/"
    assert client.get(f"/s/{archive['pending'].pk}/").status_code == 404
    gone = client.get(f"/s/{archive['withdrawn'].pk}/")
    # Not a redirect: the slug it would lead to spells the withdrawn story's title.
    assert gone.status_code == 410 and "Location" not in gone
    assert client.get(f"/s/{archive['pending'].pk}/cite.bib").status_code == 404
    assert client.get(f"/s/{archive['visible'].pk}/cite.exe").status_code == 404
    assert client.get("/s/999999/").status_code == 404


def test_an_embargoed_story_is_in_no_machine_road(client, moderator):
    story = make_story(title="Zqlater", embargo_until=timezone.now() + datetime.timedelta(days=2))
    story.approve(by=moderator)
    for url in (
        "/feeds/stories.rss",
        "/sitemap-stories.xml",
        "/export/stories.csv",
        "/export/stories.json",
    ):
        assert b"Zqlater" not in body(client.get(url)) and b"zqlater" not in body(client.get(url))
    assert client.get(f"/s/{story.pk}/").status_code == 404


# --- Query budgets ---


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/stories.rss",
        "/feeds/themes/public-safety.atom",
        "/feeds/perspectives/critics.rss",
        "/sitemap.xml",
        "/sitemap-stories.xml",
        "/sitemap-pages.xml",
    ],
)
def test_list_endpoints_run_a_fixed_number_of_queries(client, url):
    make_published(title="First", perspective="critics", themes=["public-safety"])
    few = queries_made(client, url)
    for n in range(30):
        make_published(title=f"Story {n}", perspective="critics", themes=["public-safety"])
    many = queries_made(client, url)
    assert many == few and many <= 10, (few, many)


def test_a_feed_shows_a_narrator_s_markup_as_text(client):
    make_published(title="Markup", summary='<img src="//tracker.example/x.gif"> hello')
    feed = feedparser.parse(body(client.get("/feeds/stories.rss")))
    # A reader renders the description as HTML: it shows the tag, it does not load it.
    assert feed.entries[0].summary == "&lt;img src=&quot;//tracker.example/x.gif&quot;&gt; hello"


def test_last_modified_never_goes_back_when_the_newest_story_leaves(client, moderator, monkeypatch):
    older = make_published(title="Older")
    Story.objects.filter(pk=older.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=30),
        updated_at=timezone.now() - datetime.timedelta(days=30),
    )
    newest = make_published(title="Newest")
    clock = [time.time_ns()]
    monkeypatch.setattr(store.time, "time_ns", lambda: clock[0])
    for url in ("/feeds/stories.rss", "/sitemap-stories.xml", "/api/v1/stories/"):
        before = client.get(url)["Last-Modified"]
        clock[0] += 2 * 10**9  # HTTP dates count whole seconds
        newest.return_to_review(by=moderator)
        after = client.get(url)["Last-Modified"]
        assert parse_http_date(after) > parse_http_date(before), url
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=before).status_code == 200, url
        clock[0] += 2 * 10**9
        newest.approve(by=moderator)


def test_the_csv_export_writes_would_be_formulas_as_text(client):
    make_published(title='=HYPERLINK("http://evil.example","click")', summary="-2+3")
    rows = list(csv.DictReader(io.StringIO(body(client.get("/export/stories.csv")).decode())))
    assert rows[0]["title"].startswith("'=HYPERLINK") and rows[0]["summary"] == "'-2+3"


def test_the_api_answers_while_the_cache_is_away(client, monkeypatch):
    from stories.opendata import records as module

    make_published(title="Served anyway")

    def cache_away():
        raise ConnectionError("cache down")

    monkeypatch.setattr(module, "generation", cache_away)
    response = client.get("/api/v1/stories/")
    assert response.status_code == 200 and response["Last-Modified"]


def test_the_story_sitemap_reads_only_the_slice_it_shows(client):
    from stories.opendata.sitemaps import StoryAddresses

    stories = [make_published(title=f"Story {n}") for n in range(3)]
    addresses = StoryAddresses()
    assert len(addresses) == 6
    with CaptureQueriesContext(connection) as queries:
        middle = addresses[1:4]
    assert [(slug, language) for slug, _updated, language in middle] == [
        (stories[0].slug, "es"),
        (stories[1].slug, "en"),
        (stories[1].slug, "es"),
    ]
    assert len(queries) == 2  # the count, then the stories of the slice
    with pytest.raises(TypeError):
        addresses[0]


def test_every_road_names_the_site_by_the_same_address_behind_a_proxy(client, archive, settings):
    # Behind the trusted proxy, the address a reader used is https: every road
    # that writes an absolute link (feeds, API, OAI-PMH, citations, exports,
    # the story page) writes that one.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    story = archive["visible"]
    permalink = f"https://testserver/s/{story.pk}/"
    proxied = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_HOST": "testserver"}

    feed = feedparser.parse(body(client.get("/feeds/stories.atom", **proxied)))
    assert permalink in [entry.id for entry in feed.entries]
    assert all(entry.link.startswith("https://testserver/") for entry in feed.entries)
    api = client.get(f"/api/v1/stories/{story.pk}/", **proxied).json()
    assert api["permalink"] == permalink
    assert permalink in api["dublin_core"]["identifier"]
    assert api["api_url"].startswith("https://testserver/")
    oai = etree.fromstring(
        body(client.get("/oai/?verb=ListRecords&metadataPrefix=oai_dc", **proxied))
    )
    assert permalink in oai.xpath(
        "//dc:identifier/text()", namespaces={"dc": "http://purl.org/dc/elements/1.1/"}
    )
    assert "UR  - " + permalink in client.get(f"/s/{story.pk}/cite.ris", **proxied).content.decode()
    assert permalink in body(client.get("/export/stories.json", **proxied)).decode()
    assert permalink in client.get(story.get_absolute_url(), **proxied).content.decode()


def test_a_theme_narrows_every_road_to_the_same_stories(client, archive):
    theme = Theme.objects.get(slug="public-safety")
    expected = {archive["visible"].pk}  # the pending and the withdrawn one carry it too
    api = client.get("/api/v1/stories/?theme=public-safety").json()
    assert {story["id"] for story in api["results"]} == expected
    feed = feedparser.parse(body(client.get("/feeds/themes/public-safety.atom")))
    assert {int(entry.id.rstrip("/").rsplit("/", 1)[1]) for entry in feed.entries} == expected
    oai = etree.fromstring(
        body(client.get(f"/oai/?verb=ListRecords&metadataPrefix=oai_dc&set=theme:{theme.pk}"))
    )
    identifiers = oai.xpath("//*[local-name()='header'][not(@status)]/*[local-name()='identifier']")
    assert {int(node.text.rsplit("/", 1)[1]) for node in identifiers} == expected
    listed = client.get("/stories/?theme=public-safety").content.decode()
    assert "Visible story" in listed and archive["withdrawn"].title not in listed


def test_the_api_and_the_export_say_the_same_of_a_story_under_the_same_name(client, archive):
    exported = {row["id"]: row for row in json.loads(body(client.get("/export/stories.json")))}
    for story in (archive["visible"], archive["anonymous"]):
        api = client.get(f"/api/v1/stories/{story.pk}/").json()
        row = exported[story.pk]
        # Shaped by their format: the API nests slugs to filter by and has null for no
        # recording; the export has a CSV's flat columns, the JSON export the same.
        shaped = {"perspective", "themes", "recording", "licence"}
        shared = set(api) & set(row) - shaped
        assert {"id", "url", "title", "creator", "summary", "text", "place"} <= shared
        assert {"persistent_identifier", "persistent_url"} <= shared
        assert {name: api[name] for name in shared} == {name: row[name] for name in shared}
        assert row["licence"] == api["licence"]["code"]
        assert row["identifier"] == api["permalink"] and row["date"] == api["published_at"]
