"""
Everything said is searchable: a cleared recording's transcript and index, and
the archive's translations, each in its own language, with snippets that say
where the words are heard. Runs on the engine of the database in use (SQLite's
FTS5, or PostgreSQL's full-text search when DATABASE_URL names it).
"""

import datetime

import pytest

from stories.models import IndexSegment, Perspective, Story, Theme, TranscriptSegment, facets_of
from stories.recordings.transcripts import Cue
from stories.search import index as search_index
from stories.search import results

from ..factories import give_recording, make_published, make_story

pytestmark = pytest.mark.django_db

FILLER = "We talked about the weather, the buses and the price of bread. "


def found(query):
    return [story.title for story in results.search(Story.objects.published(), query)]


def page_of(query):
    findings = results.find(Story.objects.published(), query, 0, 20)
    return results.with_snippets(findings.ids, query)


def seconds(value):
    return datetime.timedelta(seconds=value)


def recorded(*, transcript=(), cleared=True, **fields):
    story = make_published(body=FILLER, **fields)
    give_recording(story, cleared=cleared, transcript=transcript)
    return story


def segment(story, start, title, synopsis="", keywords="", **translations):
    return IndexSegment.replace_index(
        story,
        [
            *story.index_segments.all(),
            IndexSegment(
                start=seconds(start), title=title, synopsis=synopsis, keywords=keywords,
                **translations,
            ),
        ],
    )  # fmt: skip


def test_a_word_said_only_in_the_transcript_finds_the_story_with_its_time(client):
    story = recorded(
        title="The market",
        transcript=[(0, "Good morning."), (49.5, "I carried my mochila with the papers.")],
        language="es",
    )
    assert found("mochila") == ["The market"]
    [result] = page_of("mochila")
    assert str(result.snippet) == "I carried my <mark>mochila</mark> with the papers"
    source = result.snippet_source
    assert (source.kind, source.clock, source.moment) == ("transcript", "0:49", "t=49.500")
    assert not source.translated
    html = client.get("/search/", {"q": "mochila"}).content.decode()
    assert f'<a href="{story.get_absolute_url()}#t=49.500">In the transcript at 0:49' in html
    assert 'lang="es">I carried my <mark>mochila</mark>' in html


def test_a_word_only_in_an_index_segment_finds_the_story_at_that_segment(client):
    story = recorded(title="Recorded", transcript=[(0, "Hello.")])
    segment(story, 0, "Arriving")
    segment(story, 75, "The clinic", synopsis="A volunteer interpreter named Rosalind helps.")
    segment(story, 90, "Later", keywords="harbor, ferries")
    assert found("interpreter") == ["Recorded"]
    [result] = page_of("interpreter")
    assert "<mark>interpreter</mark>" in str(result.snippet)
    assert str(result.snippet).startswith("The clinic — A volunteer")
    assert (result.snippet_source.kind, result.snippet_source.moment) == ("index", "t=75.000")
    assert found("ferry") == ["Recorded"]  # keywords too
    html = client.get("/search/", {"q": "interpreter"}).content.decode()
    assert f'href="{story.get_absolute_url()}#t=75.000">In the recording’s index at 1:15' in html


def test_own_words_rank_title_over_segments_over_transcript():
    titled = recorded(title="The pelican", transcript=[(0, "Hello.")])
    indexed = recorded(title="Indexed", transcript=[(0, "Hello.")])
    segment(indexed, 0, "A pelican on the pier")
    said = recorded(title="Said", transcript=[(0, "Hello."), (3, "I saw a pelican there.")])
    assert found("pelican") == [titled.title, indexed.title, said.title]


def test_words_of_the_text_and_of_the_transcript_are_found_together():
    # Every word asked for must be in the story, wherever it is in what the story says.
    story = recorded(title="Both halves", transcript=[(0, "Then the ferry left.")])
    Story.objects.filter(pk=story.pk).update(body="The lighthouse keeper waved. " + FILLER)
    search_index.reindex(Story.objects.all())
    assert found("lighthouse ferry") == found("lighthouse") == found("ferry") == ["Both halves"]


def test_the_english_translation_of_a_spanish_story_is_found_in_english(client):
    story = recorded(
        title="La tienda",
        language="es",
        transcript=[(0, "Buenos días.")],
        title_translation="The shop",
        body_translation="My cousin sold umbrellas by the station. " + FILLER,
    )
    TranscriptSegment.objects.filter(story=story).update(text_translation="Good morning, heron.")
    search_index.reindex(story)
    assert found("umbrellas") == ["La tienda"]
    [result] = page_of("umbrellas")
    assert result.snippet_source.translated and result.snippet_source.language == "en"
    assert "<mark>umbrellas</mark>" in str(result.snippet)
    html = client.get("/search/", {"q": "umbrellas"}).content.decode()
    assert "Translated by the archive from Spanish" in html
    assert 'lang="en">My cousin sold <mark>umbrellas</mark>' in html
    # The translated transcript, with its time.
    [result] = page_of("heron")
    assert (result.snippet_source.kind, result.snippet_source.translated) == ("transcript", True)
    assert result.snippet_source.moment == "t=0.000"


def test_a_translation_is_read_only_in_its_own_language():
    # English "policy" and Spanish "policía" share the Snowball stem "polici": the English
    # translation of a Spanish story is found by the English reading only.
    make_published(
        title="La junta", language="es", body=FILLER, body_translation="The new policy came."
    )
    make_published(title="El agente", language="es", body="La policía llegó. " + FILLER)
    assert found("policy") == ["La junta"]
    assert found("policía") == ["El agente"]


def test_a_recording_not_cleared_is_not_searched():
    story = recorded(title="Waiting", transcript=[(0, "A word: albatross.")], cleared=False)
    segment(story, 0, "Albatross")
    assert found("albatross") == []
    story.recording.set_cleared(True, by=None)
    assert found("albatross") == ["Waiting"]
    story.recording.set_cleared(False, by=None)
    assert found("albatross") == []


def test_a_voice_kept_private_still_has_a_searched_transcript():
    recorded(title="Private voice", voice="private", transcript=[(0, "The gondola ride.")])
    assert found("gondola") == ["Private voice"]


def test_a_deleted_recording_takes_its_transcript_out_of_the_search():
    story = recorded(title="Gone", transcript=[(0, "A zeppelin.")])
    story.recording.delete()
    assert found("zeppelin") == []


def test_hidden_stories_transcripts_and_translations_are_never_found(moderator):
    for status in ("pending", "rejected"):
        story = make_story(
            title=f"Hidden {status}",
            body=FILLER,
            body_translation="zqtranslated words",
            summary_translation="zqsummary",
        )
        give_recording(story, cleared=True, transcript=[(0, "zqtranscript words")])
        segment(story, 0, "zqsegment", title_translation="zqsegmenttranslated")
        if status == "rejected":
            story.reject(by=moderator, reason="spam")
    for word in ("zqtranslated", "zqsummary", "zqtranscript", "zqsegment", "zqsegmenttranslated"):
        assert found(word) == []
        assert results.find(Story.objects.published(), word, 0, 20).total == 0


def test_transcripts_are_reindexed_as_they_change(moderator):
    story = recorded(title="Edited", transcript=[(0, "A walrus.")])
    assert found("walrus") == ["Edited"]
    TranscriptSegment.replace_transcript(story, [Cue(seconds(0), None, "A narwhal.")])
    assert (found("walrus"), found("narwhal")) == ([], ["Edited"])
    paragraph = story.transcript.get()
    paragraph.text = "A manatee."
    paragraph.save()
    assert (found("narwhal"), found("manatee")) == ([], ["Edited"])
    paragraph.delete()
    assert found("manatee") == []


def test_redaction_in_a_transcript_takes_the_words_out_of_the_index(moderator):
    recorded(title="Phone", transcript=[(0, "Hello."), (7, "Call me at (213) 555-0142 tonight")])
    story = Story.objects.get(title="Phone")
    assert found("555-0142") == ["Phone"]
    [phone] = [finding for finding in story.shield_findings() if finding.kind == "phone"]
    story.redact([phone.key], by=moderator)
    assert found("555-0142") == []
    assert found("tonight") == ["Phone"]


def test_a_story_found_twice_is_counted_once_in_the_facets():
    story = recorded(
        title="Twice",
        themes=["public-safety"],
        language="es",
        transcript=[(0, "La linterna.")],
        body_translation="The lantern.",
    )
    segment(story, 0, "Linterna", title_translation="Lantern")
    make_published(title="Once", body="lantern " + FILLER, themes=["public-safety"])
    findings = results.find(Story.objects.published(), "linterna or lantern", 0, 20, facets=True)
    facets = facets_of(
        findings.pairs, findings.themes, Perspective.objects.all(), Theme.objects.all()
    )
    assert findings.total == facets["total"] == 2
    assert sorted(findings.ids) == sorted(Story.objects.values_list("pk", flat=True))
    assert {f.slug: f.matching_count for f in facets["languages"]} == {"en": 1, "es": 1}
    assert {t.slug: t.matching_count for t in facets["themes"]} == {"public-safety": 2}
    matches = results.matching(Story.objects.published(), "linterna or lantern")
    assert findings.pairs == matches.counts_by_perspective_and_language()


def test_a_story_found_by_its_own_text_keeps_its_excerpt_of_it():
    recorded(title="Both", transcript=[(0, "The lighthouse at night.")])
    Story.objects.filter(title="Both").update(body="We walked to the lighthouse. " + FILLER)
    search_index.reindex(Story.objects.all())
    [result] = page_of("lighthouse")
    assert result.snippet_source is None
    assert "walked to the <mark>lighthouse</mark>" in str(result.snippet)


def test_the_api_finds_what_was_said(client):
    recorded(title="Spoken", transcript=[(0, "A tortoise crossed.")])
    response = client.get("/api/v1/stories/", {"q": "tortoise"})
    assert response.status_code == 200
    assert [story["title"] for story in response.json()["results"]] == ["Spoken"]


def test_rebuild_indexes_transcripts_and_translations():
    recorded(title="Rebuilt", transcript=[(0, "The flamingo.")], body_translation="La garza.")
    search_index.rebuild()
    assert found("flamingo") == found("garza") == ["Rebuilt"]


def test_no_hidden_story_is_found_by_its_transcript_index_or_translation(
    client, every_state_archive
):
    hidden = {state: story for state, story in every_state_archive.items() if state != "visible"}
    for state, story in hidden.items():
        marker = "zq" + state.replace(" ", "")
        give_recording(story, cleared=True, transcript=[(0, f"{marker}said words")])
        segment(story, 5, f"{marker}segment", synopsis_translation=f"{marker}segmentenglish")
        Story.objects.filter(pk=story.pk).update(
            body_translation=f"{marker}translated words", language="es"
        )
        search_index.reindex(story)
    # Approved, so indexed, every word of it; not yet public, so never found.
    embargoed = Story.objects.all()
    for word in ("said", "segment", "segmentenglish", "translated"):
        assert [s.title for s in results.search(embargoed, "zqembargoed" + word)] == [
            "Hidden ZQEMBARGOED"
        ]
    for state in hidden:
        marker = "zq" + state.replace(" ", "")
        for word in ("said", "segment", "segmentenglish", "translated"):
            assert found(marker + word) == []
            html = client.get("/search/", {"q": marker + word}).content.decode()
            assert "0 stories match" in html or "No stories match" in html, (state, word)
            api = client.get("/api/v1/stories/", {"q": marker + word}).json()
            assert api["results"] == [], (state, word)
