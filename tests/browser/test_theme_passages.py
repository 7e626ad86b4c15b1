"""The theme page's passages from every perspective (docs/theme-page.md, "Passages on this
theme"): at 1280 and 375 px, in English and Spanish, axe clean and never wider than the
screen; following a passage opens its story at its moment."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from stories.models import IndexSegment

from .helpers import assert_no_violations


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize(
    "prefix, heading, listen",
    [
        ("", "Passages on this theme, from every perspective", "Listen from 0:49"),
        ("/es", "Pasajes sobre este tema, desde cada perspectiva", "Escuchar desde 0:49"),
    ],
)
def test_passages_from_three_perspectives_open_the_story_at_their_moment(
    page, site, save_screenshot, width, prefix, heading, listen
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site}{prefix}/themes/community-trust/")
    section = page.get_by_role("region", name=heading)
    groups = section.locator(".passage-group")
    assert groups.count() >= 3
    for n in range(groups.count()):
        expect(groups.nth(n).locator(".perspective-name")).to_be_visible()
        assert groups.nth(n).locator(".passage").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_no_violations(page, f"{prefix}/themes/community-trust/ at {width} px")
    save_screenshot(f"theme passages {prefix or 'en'}")
    if os.environ.get("SCREENSHOT_DIR"):
        section.screenshot(
            path=Path(os.environ["SCREENSHOT_DIR"])
            / f"theme-passages-section-{prefix.strip('/') or 'en'}-{width}px.png"
        )

    witness = IndexSegment.objects.get(title="The witness in a 1986 homicide")
    link = section.get_by_role("link", name=re.compile(f"^{listen}"))
    expect(link).to_have_count(1)
    link.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"#{witness.moment}")
    assert f"{witness.story.slug}" in page.url or witness.story.get_absolute_url() in page.url
    # The story page's player is set at the passage (listen.js), playing or ready to.
    page.wait_for_function(
        f"() => Math.abs(document.querySelector('audio').currentTime - {witness.seconds}) < 1.5"
    )
