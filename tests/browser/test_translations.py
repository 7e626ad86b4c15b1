"""The archive's translations as readers meet them (docs/languages.md, "Translations"), on the
sample archive's story 21, told in Spanish and translated into English throughout: the text's
two views, the transcript's translation with its originals folded, the English subtitles."""

import pytest
from playwright.sync_api import expect

from stories.models import Story

from .helpers import assert_no_violations

TRANSLATED_TITLE = "La mañana que se llevaron a mi compañero de obra"
TEXT_TRACKS = """() => {
    const tracks = Array.from(document.querySelector('audio').textTracks)
        .filter(track => track.kind !== 'chapters');
    return tracks.map(track => [track.kind, track.language, track.label, track.mode]);
}"""


def translated_story():
    story = Story.objects.get(pk=21)
    assert story.title == TRANSLATED_TITLE and story.body_translation
    return story


@pytest.mark.parametrize("width", [375, 1280])
def test_in_english_the_translation_comes_first_the_original_one_click_away(
    page, site, save_screenshot, width
):
    story = translated_story()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site + story.get_absolute_url())
    expect(page.locator("h1")).to_have_text(TRANSLATED_TITLE)
    expect(page.locator(".title-translation")).to_contain_text(story.title_translation)

    # Listen: the transcript in English, labelled once, the Spanish folded away until asked for.
    note = page.locator("[data-originals-note]")
    expect(note).to_contain_text("Translated by the archive from Spanish — not the narrator")
    first = page.locator("ol.transcript li").first
    expect(first.locator(".transcript-translation")).to_be_visible()
    expect(first.locator(".transcript-original")).to_be_hidden()
    toggle = note.get_by_role("button", name="Show the original Spanish")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(first.locator(".transcript-original")).to_be_visible()
    assert_no_violations(page, f"translated story, Listen, originals shown ({width})")
    save_screenshot("translated story, listen, originals shown")
    toggle.click()
    expect(first.locator(".transcript-original")).to_be_hidden()

    # Find in the transcript looks at the words on screen: the English ones.
    page.locator("[data-find-words]").fill("lawyer")
    expect(page.locator("mark.find-match")).not_to_have_count(0)
    page.locator("[data-find-words]").fill("abogada")
    expect(page.locator("[data-find-count]")).to_have_text("No match.")

    # Read: the English translation first, labelled; the original one click away.
    page.get_by_role("tab", name="Read").click()
    translation_tab = page.get_by_role("tab", name="English translation")
    original_tab = page.get_by_role("tab", name="Original (Spanish)")
    expect(translation_tab).to_have_attribute("aria-selected", "true")
    translation = page.locator("#translation")
    expect(translation).to_be_visible()
    expect(translation).to_have_attribute("lang", "en")
    expect(translation.locator(".translation-label")).to_have_text(
        "Translated by the archive from Spanish — not the narrator's own words"
    )
    expect(page.locator("#original")).to_be_hidden()
    assert_no_violations(page, f"translated story, Read, translation ({width})")
    save_screenshot("translated story, read, translation")
    original_tab.click()
    expect(page.locator("#original")).to_be_visible()
    expect(page.locator("#original")).to_contain_text("Llevábamos seis años")
    expect(translation).to_be_hidden()
    save_screenshot("translated story, read, original")


def test_the_english_subtitles_can_be_turned_on(page, site):
    story = translated_story()
    page.goto(site + story.get_absolute_url())
    # Its captions, their translation and the index's chapters.
    page.wait_for_function("() => document.querySelector('audio').textTracks.length === 3")
    # Neither caption track shows uninvited.
    assert page.evaluate(TEXT_TRACKS) == [
        ["captions", "es", "Español", "disabled"],
        ["subtitles", "en", "English (translated by the archive)", "disabled"],
    ]
    page.evaluate(
        "() => { for (const t of document.querySelector('audio').textTracks) "
        "if (t.language === 'en') t.mode = 'showing'; }"
    )
    page.wait_for_function(
        "() => Array.from(document.querySelector('audio').textTracks)"
        ".some(t => t.language === 'en' && t.cues && t.cues.length > 0)"
    )
    first_cue = page.evaluate(
        "() => Array.from(document.querySelector('audio').textTracks)"
        ".find(t => t.language === 'en').cues[0].text"
    )
    assert first_cue == story.transcript.first().text_translation


@pytest.mark.parametrize("width", [375, 1280])
def test_in_spanish_the_original_comes_first(page, site, save_screenshot, width):
    story = translated_story()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site + "/es" + story.get_absolute_url())
    expect(page.locator(".title-translation")).to_have_count(0)
    expect(page.locator("[data-originals-note]")).to_have_count(0)
    expect(page.locator("ol.transcript li").first).to_contain_text("Llevábamos seis años")
    assert_no_violations(page, f"translated story, Escuchar ({width})")
    save_screenshot("translated story, listen, spanish")
    page.get_by_role("tab", name="Leer").click()
    expect(page.get_by_role("tab", name="Original (español)")).to_have_attribute(
        "aria-selected", "true"
    )
    expect(page.locator("#original")).to_be_visible()
    page.get_by_role("tab", name="Traducción al inglés").click()
    translation = page.locator("#translation")
    expect(translation).to_be_visible()
    expect(translation.locator(".translation-label")).to_have_text(
        "Traducido del español por el archivo — no son las palabras del narrador"
    )
    assert_no_violations(page, f"translated story, Leer, traducción ({width})")
    save_screenshot("translated story, read, translation, spanish")


def test_without_javascript_both_views_and_both_words_follow_each_other(browser, site):
    story = translated_story()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + story.get_absolute_url())
    expect(page.locator("#translation")).to_be_visible()
    expect(page.locator("#original")).to_be_visible()
    expect(page.get_by_role("link", name="Original (Spanish)")).to_have_attribute(
        "href", "#original"
    )
    first = page.locator("ol.transcript li").first
    expect(first.locator(".transcript-original")).to_be_visible()
    expect(page.locator("[data-originals-toggle]")).to_be_hidden()
    context.close()
    # An address ending in #original opens the Read view on the original.
    page = browser.new_page()
    page.goto(site + story.get_absolute_url() + "#original")
    expect(page.locator("#original")).to_be_visible()
    expect(page.get_by_role("tab", name="Read")).to_have_attribute("aria-selected", "true")
    page.close()
