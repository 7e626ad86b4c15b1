"""Everything said is searchable, in a browser: a word said only in a recording's index is found
with the time it is heard at and a link that plays from there, and a word only in the archive's
translation with the translation labelled; both languages, phone and desktop, checked with axe."""

import pytest
from playwright.sync_api import expect

from .helpers import assert_no_violations

# In the sample archive, "electricista" is only in the index of story 21's recording (at 0:00,
# "Seis años de trabajo juntos"), and "mechanic" only in the archive's English translation of
# the index of story 22's ("A repair shop in South LA"). The sample's transcripts repeat their
# stories' text, so no word is in a transcript alone; tests/search/ covers those.
STORY_21 = "/stories/la-ma%C3%B1ana-que-se-llevaron-a-mi-compa%C3%B1ero-de-obra/"


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize(
    ("prefix", "label"),
    [("", "In the recording’s index at 0:00"), ("/es", "En el índice de la grabación, en 0:00")],
)
def test_a_word_said_in_the_recording_is_found_at_its_time(
    page, site, save_screenshot, width, prefix, label
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site}{prefix}/search/?q=electricista")
    [result] = page.locator(".search-result").all()
    link = result.locator(".snippet-source a")
    expect(link).to_contain_text(label)
    expect(link).to_have_attribute("href", f"{prefix}{STORY_21}#t=0.000")
    snippet = result.locator(".snippet")
    expect(snippet).to_have_attribute("lang", "es")
    expect(snippet.locator("mark")).to_have_text("electricista")
    assert_no_violations(page, f"search found in a recording's index ({prefix or 'en'})")
    save_screenshot(f"{prefix.strip('/') or 'en'} search found in the recording's index")
    link.click()
    page.wait_for_url(f"**{STORY_21}#t=0.000")


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize(
    ("prefix", "label"),
    [
        ("", "Translated by the archive from Spanish"),
        ("/es", "Traducido del español por el archivo"),
    ],
)
def test_a_word_only_in_the_translation_is_found_labelled(
    page, site, save_screenshot, width, prefix, label
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site}{prefix}/search/?q=mechanic&exact=on")
    [result] = page.locator(".search-result").all()
    expect(result.locator(".snippet-translated")).to_have_text(label)
    snippet = result.locator(".snippet")
    expect(snippet).to_have_attribute("lang", "en")
    expect(snippet.locator("mark")).to_have_text("mechanic")
    assert_no_violations(page, f"search found in a translation ({prefix or 'en'})")
    save_screenshot(f"{prefix.strip('/') or 'en'} search found in the archive's translation")
