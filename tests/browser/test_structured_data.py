"""The story page's Schema.org JSON-LD in a browser: a data block the Content Security
Policy lets be (it is never run), and a hostile title that stays data."""

import json

from stories.models import Story

from ..factories import make_published

HOSTILE_TITLE = "</script><script>window.ranFromTitle = true</script>"
DATA_BLOCK = 'script[type="application/ld+json"]'


def watch_console(page):
    """What the console says of the Content Security Policy, and any script error."""
    said = []
    page.on("console", lambda message: said.append(message.text))
    page.on("pageerror", lambda error: said.append(f"page error: {error}"))
    return said


def test_the_story_page_carries_its_data_block_and_breaks_no_policy(page, site):
    said = watch_console(page)
    heard = Story.objects.published().with_public_recording().first()
    for prefix in ("", "/es"):
        page.goto(site + prefix + heard.get_absolute_url())
        blocks = page.locator(DATA_BLOCK)
        assert blocks.count() == 1
        data = json.loads(blocks.text_content())
        assert data["@type"] == "Article" and data["name"] == heard.title
        assert data["audio"]["contentUrl"] == f"{site}/recordings/{heard.pk}/"
        # The player's address and the data's are the same road.
        player = page.locator("#recording-player").get_attribute("src")
        assert data["audio"]["contentUrl"].endswith(player)
    assert not [text for text in said if "Content Security Policy" in text or "error" in text]


def test_a_hostile_title_stays_data_in_the_browser(page, site):
    said = watch_console(page)
    story = make_published(title=HOSTILE_TITLE)
    page.goto(site + story.get_absolute_url())
    assert page.locator(DATA_BLOCK).count() == 1
    assert json.loads(page.locator(DATA_BLOCK).text_content())["name"] == HOSTILE_TITLE
    assert page.evaluate("window.ranFromTitle") is None
    assert page.locator("script:not([src]):not([type='application/ld+json'])").count() == 0
    assert not [text for text in said if "Content Security Policy" in text]
