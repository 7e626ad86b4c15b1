"""The recording's index on the story page (stories/_chapters.html, static/js/listen.js): a
chapter's time plays from there, the chapter heard is marked, an address ending in #t= plays
from that moment; beside the player on a wide screen, folded under it on a phone; in the
reader's language, the archive's translations labelled (docs/listening.md)."""

import pytest
from playwright.sync_api import expect

from stories.models import Story

from .helpers import assert_no_violations

# The sample archive's indexed stories: told in English (its segments translated into
# Spanish), told in Spanish (translated into English), and a voice kept private.
IN_ENGLISH, IN_SPANISH, VOICE_PRIVATE = 2, 21, 32

NO_OVERFLOW = "() => document.documentElement.scrollWidth <= innerWidth"


def current_time(page):
    return page.evaluate("document.querySelector('audio').currentTime")


def open_story(page, site, pk, prefix="", moment=""):
    page.goto(site + prefix + Story.objects.get(pk=pk).get_absolute_url() + moment)


def chapter(page, moment):
    return page.locator(f'.chapters li[id="{moment}"]')


@pytest.fixture
def autoplaying(browser_type, browser_type_launch_args):
    """A Chromium that lets a page start its player without a gesture, as a reader who
    allowed it would have: a link to a moment plays at once."""
    args = [*browser_type_launch_args["args"], "--autoplay-policy=no-user-gesture-required"]
    browser = browser_type.launch(**{**browser_type_launch_args, "args": args})
    yield browser
    browser.close()


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("prefix", ["", "/es"])
def test_a_chapter_plays_from_its_time_and_the_chapter_heard_is_marked(
    page, site, width, prefix, save_screenshot
):
    page.set_viewport_size({"width": width, "height": 900})
    open_story(page, site, IN_SPANISH, prefix)
    index = page.locator("[data-recording-index]")
    summary = index.locator("summary").first
    segments = "segmentos" if prefix else "segments"
    expect(summary).to_contain_text(f"(5 {segments})")
    if width == 375:
        # Folded under the player on a phone, so the transcript is a line away; the player first.
        expect(index).not_to_have_attribute("open", "")
        player = page.locator("audio").bounding_box()
        assert 0 < index.bounding_box()["y"] - (player["y"] + player["height"]) < 120
        summary.click()
    else:
        # Beside the player.
        expect(index).to_have_attribute("open", "")
        player = page.locator("audio").bounding_box()
        assert index.bounding_box()["x"] > player["x"] + player["width"]
        assert abs(index.bounding_box()["y"] - player["y"]) < 50
    assert page.evaluate(NO_OVERFLOW)
    page.wait_for_function("() => document.querySelector('audio').readyState >= 1")

    # A chapter's time plays from its start, and marks it.
    lawyer = chapter(page, "t=49.500")
    lawyer.locator(".chapter-time").click()
    page.wait_for_function("() => !document.querySelector('audio').paused")
    assert 49.5 <= current_time(page) < 52
    expect(lawyer).to_have_attribute("aria-current", "true")
    expect(page.locator(".chapters [aria-current]")).to_have_count(1)

    # Played or sought elsewhere: the chapter heard follows.
    page.evaluate("document.querySelector('audio').currentTime = 13")
    expect(chapter(page, "t=12.000")).to_have_attribute("aria-current", "true")
    expect(lawyer).not_to_have_attribute("aria-current", "true")
    page.evaluate("document.querySelector('audio').pause()")

    # In the reader's language: the archive's translation first, labelled, the original a click
    # away (on /, a Spanish story's segments); on /es/ the Spanish as told.
    title = lawyer.locator(".chapter-title").first
    if prefix:
        expect(title).to_have_text("Una abogada de una clínica gratuita")
        expect(title).to_have_attribute("lang", "es")
        expect(lawyer.locator("details")).to_have_count(0)
    else:
        expect(title).to_have_text("A lawyer from a free clinic")
        expect(title).to_have_attribute("lang", "en")
        original = lawyer.locator("details.chapter-original")
        original.locator("summary").click()
        expect(original.locator(".chapter-title")).to_have_text(
            "Una abogada de una clínica gratuita"
        )
        expect(original.locator(".chapter-title")).to_have_attribute("lang", "es")
        expect(original.locator("summary")).to_contain_text(
            "Translated by the archive from Spanish"
        )
    assert page.evaluate(NO_OVERFLOW)
    assert_no_violations(page, f"story {IN_SPANISH}, index, {prefix or 'en'}, {width}px")
    save_screenshot(f"chapters story {IN_SPANISH} {prefix or 'en'} playing")


@pytest.mark.parametrize("width", [1280, 375])
def test_a_link_to_a_moment_plays_from_there(autoplaying, site, width):
    page = autoplaying.new_page(viewport={"width": width, "height": 900})
    segment = Story.objects.get(pk=IN_SPANISH).index_segments.get(
        title_translation__startswith="A lawyer"
    )
    # A segment's own link (a theme page's passage), and the permanent address with a moment.
    page.goto(site + segment.get_absolute_url())
    page.wait_for_function("() => !document.querySelector('audio').paused")
    assert 49.5 <= current_time(page) < 52
    lawyer = chapter(page, "t=49.500")
    expect(lawyer).to_have_attribute("aria-current", "true")
    expect(lawyer).to_be_in_viewport()
    # Any moment, not only a chapter's: the player is brought into view, the chapter marked.
    page.goto(site + f"/s/{IN_SPANISH}/#t=20")
    page.wait_for_function("() => !document.querySelector('audio').paused")
    assert 20 <= current_time(page) < 23
    expect(chapter(page, "t=12.000")).to_have_attribute("aria-current", "true")
    expect(page.locator("audio")).to_be_in_viewport()
    page.close()


def test_a_browser_that_refuses_to_play_leaves_the_player_at_the_moment(page, site):
    # Chromium's own policy: no sound before the reader's gesture on a site never visited.
    open_story(page, site, IN_SPANISH, moment="#t=49.500")
    page.wait_for_function("() => document.querySelector('audio').currentTime >= 49.5")
    expect(chapter(page, "t=49.500")).to_have_attribute("aria-current", "true")
    expect(chapter(page, "t=49.500")).to_be_in_viewport()


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("prefix", ["", "/es"])
def test_every_indexed_story_in_both_languages(page, site, width, prefix, save_screenshot):
    """Axe-clean and within the window, told in English or Spanish or with its voice kept
    private (the index beside the transcript, times as text, a link still landing)."""
    page.set_viewport_size({"width": width, "height": 900})
    for pk in (IN_ENGLISH, IN_SPANISH, VOICE_PRIVATE):
        open_story(page, site, pk, prefix)
        index = page.locator("[data-recording-index]")
        expect(index).to_be_visible()
        assert page.evaluate(NO_OVERFLOW), (pk, prefix, width)
        assert_no_violations(page, f"story {pk}, {prefix or 'en'}, {width}px")
        save_screenshot(f"chapters story {pk} {prefix or 'en'}")
    # The voice kept private: no player, no road to it, the times as text.
    expect(page.locator("audio")).to_have_count(0)
    expect(page.locator(".chapters a.chapter-time")).to_have_count(0)
    expect(index).to_have_attribute("open", "")
    open_story(page, site, VOICE_PRIVATE, prefix, moment="#t=15.000")
    landed = chapter(page, "t=15.000")
    expect(landed).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target').id") == "t=15.000"


def test_without_javascript_a_time_is_a_link_into_the_recording(browser, site):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    page = context.new_page()
    story = Story.objects.get(pk=IN_SPANISH)
    page.goto(site + story.get_absolute_url() + "#t=49.500")
    lawyer = chapter(page, "t=49.500")
    expect(lawyer).to_be_in_viewport()  # the link landed on its chapter
    expect(lawyer.locator("a.chapter-time")).to_have_attribute(
        "href", f"/recordings/{story.pk}/#t=49.500"
    )
    expect(page.locator("[data-recording-index]")).to_have_attribute("open", "")
    context.close()
