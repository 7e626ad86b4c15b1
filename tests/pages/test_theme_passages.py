"""The theme page's "Passages on this theme, from every perspective" (docs/theme-page.md), on
the sample archive: index segments of published stories whose recording is cleared."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stories.models import (
    IndexSegment,
    Recording,
    Story,
    Theme,
    passages_chosen,
    passages_of_stories,
)
from stories.pages.themes import PASSAGES_PER_PERSPECTIVE

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample_archive(settings):
    settings.PAGE_CACHE_SECONDS = settings.COUNTS_CACHE_SECONDS = 0
    call_command("load_sample_archive", verbosity=0)


def passages_section(html):
    return html[html.index('id="passages"') : html.index('id="by-perspective-heading"')]


def groups(html):
    """{perspective name: (count line, [passage titles])} as the section shows them."""
    found = {}
    for group in passages_section(html).split('class="passage-group ')[1:]:
        name = re.search(r'class="perspective-name">([^<]+)<', group).group(1)
        count = re.search(r'class="passage-count">([^<]+)<', group).group(1)
        titles = re.findall(r'<h4 class="passage-title" lang="\w\w">([^<]+)</h4>', group)
        found[name] = (count, titles)
    return found


def test_community_trust_has_passages_from_three_perspectives(client, sample_archive):
    html = client.get("/themes/community-trust/").content.decode()
    assert groups(html) == {
        "Immigrants": ("1 passage", ["What I would call sanctuary"]),
        "Law enforcement": (
            "2 passages",
            ["Special Order 40, seen from the academy", "The witness in a 1986 homicide"],
        ),
        "Critics": (
            "2 passages",
            ["Tres robos y una orden de deportación", "La ley pareja para todos"],
        ),
    }
    section = passages_section(html)
    # The Spanish story's passage, on the English page: the archive's translation, labelled.
    assert "Translated by the archive from Spanish" in section
    assert section.count("Translated by the archive") == 1  # the critics' have no translation
    assert '<h4 class="passage-title" lang="es">Tres robos' in section
    # Each plays the recording from its moment, with the time and length beside it.
    witness = IndexSegment.objects.get(title="The witness in a 1986 homicide")
    assert f'href="{witness.get_absolute_url()}"' in section
    assert witness.get_absolute_url().endswith("/#t=49.000")
    assert "At 0:49 · 1 min" in section and "Listen from 0:49" in section
    # The perspectives with no passage are named, not left out silently.
    assert "No passage on this theme yet from:" in section
    assert "City officials" in section.split("No passage on this theme yet from:")[1]


def test_spanish_page_reads_english_stories_in_the_archive_s_translation(client, sample_archive):
    html = client.get("/es/themes/community-trust/").content.decode()
    section = passages_section(html)
    titles = {name: titles for name, (_count, titles) in groups(html).items()}
    # Story 2's segments have Spanish translations; story 21 (Spanish) is read as told.
    assert "Lo que yo llamaría santuario" in titles["Inmigrantes"]
    assert '<h4 class="passage-title" lang="es">Lo que yo llamaría santuario' in section
    assert "Traducido del inglés por el archivo" in section
    assert "Escuchar desde 0:49" in section
    assert "2 pasajes" in section


def test_a_voice_kept_private_is_read_from_its_moment_never_heard(client, sample_archive):
    story = Story.objects.get(slug="three-buses-to-the-legal-clinic")
    assert story.keeps_voice_private
    for prefix, read in (("", "Read from 0:15"), ("/es", "Leer desde 0:15")):
        section = passages_section(client.get(f"{prefix}/themes/legal-aid/").content.decode())
        assert read in section
        assert f'href="{story.get_absolute_url()}#t=15.000"' in section
        assert f"/recordings/{story.pk}/" not in section


def test_at_most_two_a_perspective_with_the_count(client, sample_archive):
    story = Story.objects.get(title__startswith="I Was a Rookie")
    theme = Theme.objects.get(slug="community-trust")
    for segment in story.index_segments.all():
        segment.themes.add(theme)
    html = client.get("/themes/community-trust/?more").content.decode()
    count, titles = groups(html)["Law enforcement"]
    assert count == "2 of 4 passages" and len(titles) == PASSAGES_PER_PERSPECTIVE == 2


def test_only_published_stories_with_a_cleared_recording_have_passages(sample_archive):
    theme = Theme.objects.get(slug="community-trust")
    law = Story.objects.get(title__startswith="I Was a Rookie")

    def shown():
        chosen, _total = passages_chosen(theme, per_perspective=2).get(law.perspective_id, ([], 0))
        told = passages_of_stories(theme, [law.pk], language="en").get(law.pk, [])
        return [segment for segment, _story in chosen], [p.segment.pk for p in told]

    chosen, told = shown()
    assert len(chosen) == 2 and set(chosen) <= set(told)
    Recording.objects.filter(story=law).update(cleared_at=None)
    assert shown() == ([], [])
    Recording.objects.filter(story=law).update(cleared_at=datetime.datetime.now(datetime.UTC))
    Story.objects.filter(pk=law.pk).update(status=Story.Status.PENDING)
    assert shown() == ([], [])


def test_the_passages_cost_a_query_to_choose_and_one_to_show(sample_archive):
    theme = Theme.objects.get(slug="community-trust")
    with CaptureQueriesContext(connection) as queries:
        chosen = passages_chosen(theme, per_perspective=2)
        story_ids = [story for segments, _total in chosen.values() for _, story in segments]
        for told in passages_of_stories(theme, story_ids, language="en").values():
            for passage in told:
                passage.title, passage.story_title, passage.minutes, passage.heard  # noqa: B018
                passage.segment.get_absolute_url()
    assert len(queries) == 2
    assert sum(total for _segments, total in chosen.values()) == 5
