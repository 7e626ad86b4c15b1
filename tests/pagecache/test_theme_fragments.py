"""The theme pages put together from what is kept, with the page cache off: each change readers
can see is on the next page, and what it replaced is gone (stories/pages/themes.py)."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stories.models import IndexSegment, Perspective, Story, Theme

from ..factories import give_recording, make_published

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fragments", "counts_kept")]

PLATE = "7ABC123"


@pytest.fixture(params=[60, 0], ids=["listing kept", "listing each time"])
def counts_kept(request, settings):
    """What a theme page lists kept per generation beside the fragments, as the site runs with
    the page cache off (bench/profile_pages.py); or worked out for each page."""
    settings.COUNTS_CACHE_SECONDS = request.param


def theme_page(client, path="/themes/public-safety/"):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def listed_in_structured_data(html):
    data = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    return [part["name"] for part in json.loads(data)["hasPart"]]


def index(story, *segments):
    """The story's recording index: (seconds, title, theme slugs) for each segment."""
    parts = []
    for seconds, title, themes in segments:
        part = IndexSegment(start=datetime.timedelta(seconds=seconds), title=title)
        part.theme_ids = list(Theme.objects.filter(slug__in=themes).values_list("pk", flat=True))
        parts.append(part)
    IndexSegment.replace_index(story, parts)


@pytest.fixture
def quoted(client):
    """A critic's story on public safety, quoted, with a recording and a passage on the theme;
    the theme page and its comparison already put together once, so all of it is kept."""
    story = make_published(
        title="Zqquoted story",
        perspective="critics",
        themes=["public-safety"],
        body=f"Their van had plate {PLATE}. " * 20,
        quote=f"Their van had plate {PLATE}.",
    )
    give_recording(story, cleared=True)
    index(story, (0, f"Zqpassage about plate {PLATE}", ["public-safety"]))
    for path in (
        "/themes/public-safety/",
        "/themes/public-safety/?compare=critics&with=immigrants",
    ):
        html = theme_page(client, path)
        assert PLATE in html and "Zqpassage" in html
    return story


def test_a_warm_theme_page_reads_no_row_of_the_archive(client, quoted, settings):
    if not settings.COUNTS_CACHE_SECONDS:
        pytest.skip("what the page lists is worked out each time")
    with CaptureQueriesContext(connection) as queries:
        html = theme_page(client)
    # Without Redis, what is kept lives in the database cache's own table (in savepoints).
    of_the_cache = ("perspectives_cache", "perspectives_pages", "SAVEPOINT")
    assert [q["sql"] for q in queries if not any(t in q["sql"] for t in of_the_cache)] == []
    assert html.count("Zqquoted story") >= 2  # its voice's hidden name and its card
    assert listed_in_structured_data(html) == ["Zqquoted story"]


def test_a_redaction_of_the_quoted_story_and_its_passage_shows_at_once(client, quoted, moderator):
    quoted.redact([finding.key for finding in quoted.shield_findings()], by=moderator)
    for path in (
        "/themes/public-safety/",
        "/themes/public-safety/?compare=critics&with=immigrants",
    ):
        html = theme_page(client, path)
        assert PLATE not in html
        assert "Their van had plate [redacted]." in html
        assert "Zqpassage about plate [redacted]" in html


def test_a_story_retagged_leaves_the_theme_page_at_once(client, quoted):
    theme_page(client, "/themes/community-trust/")
    quoted.themes.set([Theme.objects.get(slug="community-trust")])
    html = theme_page(client)
    # Its voice, its card and the structured data; its passage is tagged on its own.
    assert "Their van had plate" not in html and 'class="story-card' not in html
    assert listed_in_structured_data(html) == ["Zqquoted story"]  # for its passage alone
    assert "Their van had plate" in theme_page(client, "/themes/community-trust/")


def test_a_passage_retagged_or_rewritten_shows_at_once(client, quoted):
    segment = quoted.index_segments.get()
    theme_page(client, "/themes/community-trust/")
    segment.themes.add(Theme.objects.get(slug="community-trust"))
    assert "Zqpassage" in theme_page(client, "/themes/community-trust/")
    segment.themes.remove(Theme.objects.get(slug="public-safety"))
    assert "Zqpassage" not in theme_page(client)
    # From the theme's side.
    theme_page(client, "/themes/legal-aid/")
    Theme.objects.get(slug="legal-aid").index_segments.add(segment)
    assert "Zqpassage" in theme_page(client, "/themes/legal-aid/")
    segment.title = "Zqrewritten passage"
    segment.save()
    html = theme_page(client, "/themes/community-trust/")
    assert "Zqrewritten passage" in html and "Zqpassage" not in html


def test_a_renamed_theme_or_perspective_shows_at_once(client, quoted):
    for path in ("/themes/", "/es/themes/", "/es/themes/public-safety/"):
        theme_page(client, path)
    theme = Theme.objects.get(slug="public-safety")
    theme.name, theme.name_es = "Zqrenamed safety", "Zqseguridad renombrada"
    theme.save()
    critics = Perspective.objects.get(slug="critics")
    critics.name_es = "Zqcríticos"
    critics.save()
    html = theme_page(client)
    assert "<h1>Zqrenamed safety</h1>" in html and "<h1>Public safety</h1>" not in html
    assert ">Zqrenamed safety</a>" in theme_page(client, "/themes/")
    spanish = theme_page(client, "/es/themes/public-safety/")
    assert "<h1>Zqseguridad renombrada</h1>" in spanish
    # The critics' mark and name: in the jump bar, its voice (kept), its column and passages.
    assert spanish.count('<span class="perspective-name">Zqcríticos</span>') == 4
    assert ">Zqcríticos<" in theme_page(client, "/es/themes/")


def test_a_withdrawn_story_leaves_every_part_of_the_theme_page(client, quoted):
    other = make_published(title="Zqother critic", perspective="critics", themes=["public-safety"])
    theme_page(client)
    quoted.withdraw()
    for path in (
        "/themes/public-safety/",
        "/themes/public-safety/?compare=critics&with=immigrants",
    ):
        html = theme_page(client, path)
        assert "Zqquoted" not in html and "Zqpassage" not in html and PLATE not in html
        assert listed_in_structured_data(html) == ["Zqother critic"]
    assert Story.objects.get(pk=other.pk).title in html


def test_a_column_counts_its_stories_again_after_a_new_one(client, quoted):
    """A column's words and link are written once a process per count (themes.column_around):
    a new story on the theme is a new count, shown at once in either language."""
    html = theme_page(client)
    critics = re.search(r'id="voice-critics".*?</section>', html, re.S).group()
    assert "1 story from Critics on this theme" in critics
    theme_page(client, "/es/themes/public-safety/")
    make_published(title="Zqsecond critic", perspective="critics", themes=["public-safety"])
    critics = re.search(r'id="voice-critics".*?</section>', theme_page(client), re.S).group()
    assert "All 2 stories from Critics on this theme" in critics
    assert "Zqsecond critic" in critics
    assert "/stories/?theme=public-safety&amp;perspective=critics" in critics
    spanish = theme_page(client, "/es/themes/public-safety/")
    assert re.search(r'id="voice-critics".*?Las 2 historias de .*? sobre este tema', spanish, re.S)
