"""
The share form in steps, as a narrator on a phone meets it: each step fits in two
screens (the record step in one, before recording), Back keeps what was typed, the
character counter counts, the embargo date appears when asked for, a draft kept on
the device comes back when the session's is gone, and without JavaScript a whole
story is sent through the steps.
"""

import pytest
from playwright.sync_api import expect

from stories.models import Story

from ..factories import LONG_BODY
from .helpers import LABELS, SHARE_WORDS, SLUGS, start_share, walk_share_form

PHONE_SCREEN = {"width": 375, "height": 800}
# How far a narrator scrolls to finish a step: to the bottom of its Continue (or Send)
# button, from the top of the page, header included. Below it are only the optional
# "keep a draft on this device" box and the site's footer.
HEIGHT = (
    "() => Math.round(document.querySelector('#share-form .step-actions')"
    ".getBoundingClientRect().bottom + window.scrollY)"
)

STORY_TITLE = "The bus stop where we waited"


def whole_story(labels, title=STORY_TITLE):
    def about_your_story(page):
        page.get_by_label(labels["title"]).fill(title)
        page.get_by_label(labels["language"], exact=True).check()

    return {
        "story": lambda page: page.get_by_role("textbox", name=labels["body"], exact=True).fill(
            LONG_BODY
        ),
        "about-your-story": about_your_story,
        "where-you-stand": lambda page: page.get_by_label(labels["perspective"]).check(),
        "about-you": lambda page: page.get_by_label(labels["anonymous"], exact=True).check(),
    }


# Each step at 375x800 (HEIGHT), a whole story told: within two screens; the record
# step, before anything is recorded, within one. The last step alone may take a quarter
# screen more: it holds the answers, the consent and the licence, which a narrator must
# all see before sending and none of which is folded away (docs/reuse.md).
PHONE_STEPS = ["story (record)", *SLUGS]
SCREENS = {"check": 2.25}


def phone_cases():
    return [
        pytest.param(language, step, id=f"{language}-{step}")
        for language in ("en", "es")
        for step in PHONE_STEPS
    ]


def open_on_a_phone(page, site, language, step):
    """The step open in a 375x800 page, the steps before it answered; its height."""
    prefix = "" if language == "en" else "/es"
    page.set_viewport_size(PHONE_SCREEN)
    if step == "story (record)":
        start_share(page, site, prefix, telling="record")
    else:
        walk_share_form(page, site, prefix, whole_story(LABELS[language]), until=step)
    return page.evaluate(HEIGHT)


@pytest.mark.parametrize(("language", "step"), phone_cases())
def test_on_a_phone_every_step_fits_in_two_screens(page, site, language, step, save_screenshot):
    height = open_on_a_phone(page, site, language, step)
    save_screenshot(f"{language} share step {step}")
    print(f"{language} {step}: {height} px")
    assert height <= SCREENS.get(step, 2) * 800, (
        f"{step} is {height} px tall at 375x800 ({language})"
    )


@pytest.mark.parametrize("language", ["en", "es"])
def test_on_a_phone_the_record_step_fits_in_one_screen_before_recording(page, site, language):
    height = open_on_a_phone(page, site, language, "story (record)")
    print(f"{language} story (record): {height} px")
    assert height <= 800, f"the record step is {height} px tall at 375x800 ({language})"


def test_back_keeps_what_was_typed(page, site):
    labels = LABELS["en"]
    walk_share_form(page, site, "", whole_story(labels), until="about-you")
    page.get_by_label("Neighbourhood or city").fill("Boyle Heights")
    with page.expect_navigation():
        page.get_by_role("button", name=SHARE_WORDS["en"]["back"]).click()
    assert page.url.endswith("/share/where-you-stand/")
    expect(page.get_by_label(labels["perspective"])).to_be_checked()
    with page.expect_navigation():
        page.get_by_role("button", name=SHARE_WORDS["en"]["back"]).click()
    assert page.url.endswith("/share/about-your-story/")
    expect(page.get_by_label(labels["title"])).to_have_value(STORY_TITLE)
    with page.expect_navigation():
        page.get_by_role("button", name=SHARE_WORDS["en"]["back"]).click()
    assert page.url.endswith("/share/story/")
    expect(page.get_by_role("textbox", name=labels["body"], exact=True)).to_have_value(LONG_BODY)
    walk_share_form(page, site, "", {}, until="about-you", start=False)
    expect(page.get_by_label("Neighbourhood or city")).to_have_value("Boyle Heights")


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_character_counter_counts_as_one_types(page, site, language):
    prefix = "" if language == "en" else "/es"
    labels = LABELS[language]
    start_share(page, site, prefix)
    counter = page.locator(".char-count")
    expect(counter).to_be_visible()
    body = page.get_by_role("textbox", name=labels["body"], exact=True)
    body.press_sequentially("Mi tía")
    expect(counter).to_contain_text("6")
    expect(counter).to_have_class("char-count char-count-short")
    body.fill("a" * 250)
    body.press("End")
    body.press_sequentially("!")
    expect(counter).to_contain_text("251")
    expect(counter).not_to_have_class("char-count char-count-short")


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_embargo_date_appears_only_when_asked_for(page, site, language):
    prefix = "" if language == "en" else "/es"
    labels = LABELS[language]
    later = {"en": "Not before a date I choose", "es": "No antes de una fecha que yo elija"}
    walk_share_form(page, site, prefix, whole_story(labels), until="details")
    date = page.locator("#id_embargo_date")
    expect(date).to_be_hidden()
    page.get_by_label(later[language]).check()
    expect(date).to_be_visible()


def test_a_draft_kept_on_the_device_comes_back_and_can_be_forgotten(page, site):
    start_share(page, site)
    keep = page.get_by_label("Keep a draft on this device")
    keep.check()
    expect(page.locator("[data-device-draft] [role=status]")).to_have_text(
        "Your draft is kept on this device."
    )
    body = page.get_by_role("textbox", name="Your story", exact=True)
    body.fill("Kept on my own phone")
    assert "Kept on my own phone" in page.evaluate(
        "localStorage.getItem('perspectives-share-draft')"
    )
    # The session's draft is gone (the browser was closed): the device's comes back.
    page.context.clear_cookies()
    start_share(page, site)
    expect(body).to_have_value("Kept on my own phone")
    expect(page.locator("[data-device-draft] [role=status]")).to_have_text(
        "We filled in what you kept on this device. Check it before you go on."
    )
    page.get_by_role("button", name="Forget this draft").click()
    assert page.evaluate("localStorage.getItem('perspectives-share-draft')") is None
    expect(page.locator("[data-device-draft] [role=status]")).to_have_text(
        "The draft on this device has been forgotten."
    )
    expect(page.get_by_label("Keep a draft on this device")).not_to_be_checked()


def test_without_javascript_a_whole_story_is_sent_through_the_steps(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    labels = LABELS["en"]
    walk_share_form(page, site, "", whole_story(labels, "Sent without a script"))
    page.get_by_label(labels["consent"], exact=False).check()
    page.get_by_role("button", name=labels["send"]).click()
    page.wait_for_url("**/share/thanks/")
    story = Story.objects.get(title="Sent without a script")
    assert story.is_anonymous and story.body == LONG_BODY.strip()
    context.close()
