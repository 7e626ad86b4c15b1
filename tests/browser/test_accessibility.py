"""Every page type in both languages: axe-core, reflow at 320 px, text at 200%."""

import pytest
from playwright.sync_api import expect

from ..factories import make_published
from .helpers import (
    LABELS,
    RISKY_BODY,
    SHARE_WORDS,
    assert_no_violations,
    fill_risky_story,
    open_page,
    page_paths,
    start_share,
)


def assert_no_sideways_scroll(page, width, name):
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{name} scrolls sideways at {width} px: {scroll_width}"


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_page_type_reflows_at_320_pixels(page, site, language, save_screenshot):
    prefix = "" if language == "en" else "/es"
    long_word = make_published(title="Reflow " + "x" * 120, body="Palabra" * 80 + " " + "y" * 300)
    page.set_viewport_size({"width": 320, "height": 800})
    for name, path in {**page_paths(), "long word": long_word.get_absolute_url()}.items():
        open_page(page, site, prefix, path)
        save_screenshot(f"{language} {name}")
        assert_no_sideways_scroll(page, 320, name)
        if name.startswith("share step"):
            # A story in progress: the header leaves the search out, nothing to wander off to.
            assert page.locator("#site-search").count() == 0, name
        elif not name.startswith("search"):  # the search page has its own form instead
            # A flex item in a column takes its flex basis as height: a 16rem-tall box once.
            assert page.locator("#site-search").bounding_box()["height"] < 64, name
    page.context.clear_cookies()  # a new narrator: no story in progress
    start_share(page, site, prefix)
    page.get_by_role("button", name=SHARE_WORDS[language]["continue"]).click()
    # The answer to the post, not the page being left behind.
    expect(page.locator(".error-summary")).to_be_visible()
    save_screenshot(f"{language} share with errors")
    assert_no_sideways_scroll(page, 320, "share form with errors")


# Text that overflows a box that hides its overflow is text a reader cannot see.
CLIPPED_TEXT = """() => [...document.querySelectorAll("body *")]
    .filter((element) => !element.closest(".visually-hidden, .honeypot, .skip-link"))
    .filter((element) => {
        const style = getComputedStyle(element);
        const clips = (overflow) => overflow === "hidden" || overflow === "clip";
        return (clips(style.overflowX) && element.scrollWidth > element.clientWidth + 1)
            || (clips(style.overflowY) && element.scrollHeight > element.clientHeight + 1);
    })
    .map((element) => element.tagName + "." + element.className)"""


def test_every_page_type_works_with_text_at_200_percent(page, site):
    # The browser's own text-size setting (what a reader with low vision changes),
    # not page zoom: only rem/em-sized layouts survive it.
    page.context.new_cdp_session(page).send(
        "Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}}
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    for name, path in page_paths().items():
        open_page(page, site, "/es", path)
        # The body is 1.0625rem (17 px of the browser's 16): 34 px of its 32.
        assert page.evaluate("getComputedStyle(document.body).fontSize") == "34px", name
        assert_no_sideways_scroll(page, 1280, f"{name} at 200% text")
        assert page.evaluate(CLIPPED_TEXT) == [], f"{name} clips text at 200%"


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_page_type_passes_axe(page, site, language, save_screenshot):
    prefix = "" if language == "en" else "/es"
    checked = 0
    for name, path in page_paths().items():
        open_page(page, site, prefix, path)
        assert page.locator("html").get_attribute("lang") == language
        assert_no_violations(page, f"{name} ({language})")
        save_screenshot(f"{language} {name}")
        checked += 1
    # The share form's error state: its first step, continued with nothing in it.
    page.context.clear_cookies()  # a new narrator: no story in progress
    start_share(page, site, prefix)
    page.get_by_role("button", name=SHARE_WORDS[language]["continue"]).click()
    expect(page.locator(".error-summary")).to_be_visible()
    # Focus lands on the summary, so a screen reader announces the errors first.
    expect(page.locator(".error-summary")).to_be_focused()
    assert_no_violations(page, f"share form with errors ({language})")
    save_screenshot(f"{language} share with errors")
    # The report form's error state.
    page.goto(site + prefix + page_paths()["report"])
    page.locator("main button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_focused()
    assert_no_violations(page, f"report form with errors ({language})")
    save_screenshot(f"{language} report with errors")
    assert checked == 38


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_database_down_page_passes_axe(page, site, language, save_screenshot):
    from django.db import OperationalError
    from django.db.backends.base.base import BaseDatabaseWrapper

    def refuse(self, *args, **kwargs):
        raise OperationalError("connection refused (the test's database outage)")

    prefix = "" if language == "en" else "/es"
    original = BaseDatabaseWrapper.ensure_connection
    BaseDatabaseWrapper.ensure_connection = refuse  # the live server's thread too
    try:
        response = page.goto(site + prefix + "/stories/")
        assert response.status == 503
        assert page.locator("html").get_attribute("lang") == language
        assert_no_violations(page, f"database down ({language})")
        save_screenshot(f"{language} database down")
    finally:
        BaseDatabaseWrapper.ensure_connection = original


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_story_the_database_could_not_take_is_shown_back(
    page, site, language, monkeypatch, save_screenshot
):
    from django.db import OperationalError

    from stories import services

    def database_away(*args, **kwargs):
        raise OperationalError("connection refused (the test's outage)")

    prefix = "" if language == "en" else "/es"
    fill_risky_story(page, site, prefix, LABELS[language], "Lo que escribí no se pierde")
    monkeypatch.setattr(services.Story.objects, "create", database_away)
    # The check step shows the shield's findings at once: the story is sent anyway.
    page.get_by_role("button", name=LABELS[language]["send anyway"]).first.click()
    expect(page.locator("h1")).to_have_text(
        {"en": "Your story was not saved", "es": "Su historia no se guardó"}[language]
    )
    kept = [area.input_value() for area in page.locator("textarea").all()]
    assert "Lo que escribí no se pierde" in kept and RISKY_BODY.strip() in [v.strip() for v in kept]
    assert_no_violations(page, f"story not saved ({language})")
    save_screenshot(f"{language} story not saved")
