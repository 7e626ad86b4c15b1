"""Listening that follows the voice (static/js/listen.js): the mini-player, the transcript
following the recording, find in the transcript, Listen and Read as two views; by keyboard."""

from playwright.sync_api import expect

from stories.models import Story, TranscriptSegment
from stories.recordings import transcripts

from .helpers import assert_no_violations

IN_VIEW = """element => {
    const box = element.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= innerHeight;
}"""


def told_aloud():
    """The sample archive's story heard, with a transcript that says what its text says."""
    heard = Story.objects.published().with_public_recording().order_by("pk")
    for story in heard.filter(pk__in=TranscriptSegment.objects.values("story")):
        if transcripts.same_words(story.body, story.transcript.values_list("text", flat=True)):
            return story
    raise AssertionError("the sample archive has no story told aloud")


def current_time(page):
    return page.evaluate("document.querySelector('audio').currentTime")


def press(page, locator, key="Enter"):
    locator.focus()
    page.keyboard.press(key)


def play_from_third_paragraph(page):
    """Start the recording from the third paragraph's time link, by keyboard."""
    page.wait_for_function("() => document.querySelector('audio').readyState >= 1")
    third = page.locator("ol.transcript li").nth(2)
    press(page, third.get_by_role("link"))
    page.wait_for_function("() => !document.querySelector('audio').paused")
    expect(third).to_have_attribute("aria-current", "true")
    return third


def test_the_transcript_follows_the_voice_and_the_mini_player_stays(page, site, save_screenshot):
    story = told_aloud()
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(site + story.get_absolute_url())
    mini = page.get_by_role("region", name="Player")
    follow = page.locator(".transcript-tools").get_by_role("button", name="Follow the voice")
    expect(mini).to_be_hidden()  # the player is on screen
    expect(follow).to_have_attribute("aria-pressed", "true")
    play_from_third_paragraph(page)
    save_screenshot("story told aloud, playing")

    # The reader scrolls away: the mini-player comes, and following stops, saying so.
    page.mouse.wheel(0, 2500)
    expect(mini).to_be_visible()
    expect(follow).to_have_attribute("aria-pressed", "false")
    expect(page.locator("[data-follow-status]")).to_have_text(
        "Stopped following the voice. Select “Follow the voice” to come back to it."
    )
    save_screenshot("story told aloud, scrolled, mini-player")

    # The mini-player drives the same <audio>, by keyboard.
    before = current_time(page)
    press(page, mini.get_by_role("button", name="Forward 15 seconds"))
    assert current_time(page) >= before + 14
    press(page, mini.get_by_role("button", name="Back 15 seconds"))
    assert current_time(page) < before + 10
    speed = mini.get_by_role("button", name="Speed 1×")
    press(page, speed)
    expect(mini.get_by_role("button", name="Speed 1.25×")).to_be_visible()
    assert page.evaluate("document.querySelector('audio').playbackRate") == 1.25

    # Following again: the paragraph heard is the highlighted one, and it is on screen.
    press(page, mini.get_by_role("button", name="Follow the voice"))
    expect(follow).to_have_attribute("aria-pressed", "true")
    press(page, mini.get_by_role("button", name="Forward 15 seconds"))
    heard = page.locator("ol.transcript li[aria-current=true]")
    expect(heard).to_have_count(1)
    at = current_time(page)
    starts = [
        float(s)
        for s in page.locator("ol.transcript li").evaluate_all(
            "items => items.map(item => item.dataset.start)"
        )
    ]
    expected = max(n for n, start in enumerate(starts) if start <= at + 0.05)
    paragraph = page.locator("ol.transcript li").nth(expected)
    expect(paragraph).to_have_attribute("aria-current", "true")
    page.wait_for_function(
        f"() => ({IN_VIEW})(document.querySelectorAll('ol.transcript li')[{expected}])"
    )
    assert_no_violations(page, "story told aloud, playing and scrolled")

    # Stop following by keyboard: the voice moves on, the page stays where it is.
    press(page, mini.get_by_role("button", name="Follow the voice"))
    expect(follow).to_have_attribute("aria-pressed", "false")
    at = page.evaluate("() => scrollY")
    was_heard = paragraph.evaluate("item => [...item.parentNode.children].indexOf(item)")
    press(page, mini.get_by_role("button", name="Forward 15 seconds"))
    page.wait_for_function(
        "heard => document.querySelectorAll('ol.transcript li')[heard].getAttribute('aria-current')"
        " !== 'true'",
        arg=was_heard,
    )
    # Following would now scroll the new paragraph to the middle, a paragraph's height or more,
    # smoothly (so give it the time); a few pixels are the browser keeping the reader's place
    # (scroll anchoring) while the page's layout settles under load.
    page.wait_for_timeout(800)
    assert abs(page.evaluate("() => scrollY") - at) < 16
    press(page, mini.get_by_role("button", name="Pause"))
    page.wait_for_function("() => document.querySelector('audio').paused")
    expect(mini.get_by_role("button", name="Play")).to_be_visible()


def test_find_in_the_transcript_marks_and_steps_through_matches(page, site):
    story = told_aloud()
    page.goto(site + story.get_absolute_url())
    words = page.get_by_role("searchbox", name="Find in the transcript")
    words.focus()
    page.keyboard.type("THE")  # case folded
    marks = page.locator("ol.transcript mark.find-match")
    count = marks.count()
    assert count > 2
    status = page.locator("[data-find-count]")
    expect(status).to_have_text(f"Match 1 of {count}.")
    page.keyboard.press("Enter")
    expect(status).to_have_text(f"Match 2 of {count}.")
    assert marks.nth(1).evaluate(IN_VIEW)
    expect(marks.nth(1)).to_have_class("find-match find-current")
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")
    expect(status).to_have_text(f"Match {count} of {count}.")
    words.fill("zzqq")
    expect(status).to_have_text("No match.")
    expect(marks).to_have_count(0)
    # The words themselves are unchanged by the marks coming and going.
    first = story.transcript.first().text
    expect(page.locator("ol.transcript li p").first).to_have_text(first)


def test_listen_and_read_are_two_tabs_of_one_story(page, site, save_screenshot):
    story = told_aloud()
    page.goto(site + "/es" + story.get_absolute_url())
    listen = page.get_by_role("tab", name="Escuchar")
    read = page.get_by_role("tab", name="Leer")
    expect(listen).to_have_attribute("aria-selected", "true")
    expect(page.locator("#read")).to_be_hidden()
    press(page, listen, "ArrowRight")
    expect(read).to_be_focused()
    expect(read).to_have_attribute("aria-selected", "true")
    expect(page.locator("#read")).to_be_visible()
    expect(page.locator("#listen")).to_be_hidden()
    assert_no_violations(page, "story told aloud, Read view (es)")
    save_screenshot("story told aloud, read view, spanish")
    # "Escuchar: 2 min" under the title opens the Listen view.
    page.locator(".story-meta a[href='#listen']").click()
    expect(page.locator("#listen")).to_be_visible()
    expect(listen).to_have_attribute("aria-selected", "true")


def test_without_javascript_both_views_and_the_player_are_there(browser, site):
    story = told_aloud()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + story.get_absolute_url())
    expect(page.locator("#listen audio")).to_be_visible()
    expect(page.locator("#read")).to_be_visible()
    expect(page.get_by_role("link", name="Read", exact=True)).to_have_attribute("href", "#read")
    expect(page.locator("[data-mini-player]")).to_be_hidden()
    expect(page.locator("[data-transcript-tools]")).to_be_hidden()
    context.close()
