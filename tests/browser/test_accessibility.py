"""axe-core's WCAG 2.0/2.1/2.2 A and AA rules on every page type, in both languages."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from stories.models import Story
from tests.conftest import make_published

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def page_paths():
    story = Story.objects.published().first()
    withdrawn = Story.objects.withdrawn_after_publication().first()
    return {
        "home": "/",
        "browse": "/stories/?language=es",
        "story": story.get_absolute_url(),
        "perspectives": "/perspectives/",
        "perspective": "/perspectives/critics/",
        "themes": "/themes/",
        "theme": "/themes/community-trust/",
        "share": "/share/",
        "thanks": "/share/thanks/",
        "not found": "/stories/no-such-story/",
        "withdrawn": withdrawn.get_absolute_url(),
    }


def assert_no_violations(page, name):
    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    violations = results.response["violations"]
    assert not violations, f"{name}: {results.generate_report()}"


def test_every_page_type_reflows_at_320_pixels(page, site):
    long_word = make_published(title="Reflow " + "x" * 120, body="Palabra" * 80 + " " + "y" * 300)
    page.set_viewport_size({"width": 320, "height": 800})
    for name, path in {**page_paths(), "long word": long_word.get_absolute_url()}.items():
        page.goto(site + path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= 320, f"{name} scrolls sideways at 320 px: {scroll_width}"


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_page_type_passes_axe(page, site, language):
    prefix = "" if language == "en" else "/es"
    checked = 0
    for name, path in page_paths().items():
        page.goto(site + prefix + path)
        assert page.locator("html").get_attribute("lang") == language
        assert_no_violations(page, f"{name} ({language})")
        checked += 1
    # The share form's error state.
    page.goto(site + prefix + "/share/")
    page.locator("button[type=submit]").click()
    assert page.locator(".error-summary").is_visible()
    # Focus lands on the summary, so a screen reader announces the errors first.
    expect(page.locator(".error-summary")).to_be_focused()
    assert_no_violations(page, f"share form with errors ({language})")
    assert checked == 11
