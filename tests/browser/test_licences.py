"""
The licence in a browser, in both languages, at a phone's width and a desk's: the
narrator chooses it by its name on the share form's last step and finds it on their
private page, where they may make it stricter; the story page states it with
rel="license"; the Data page says how to ask to republish. axe checks every page.
"""

import secrets

import pytest
from playwright.sync_api import expect

from stories.models import Licence, Story, hash_withdrawal_token

from ..factories import make_story
from .helpers import LABELS, assert_no_violations, fill_risky_story

WIDTHS = (375, 1280)
PREFIX = {"en": "", "es": "/es"}


def look_at_every_width(page, save_screenshot, name, focus=None):
    """Screenshots at each width (of ``focus`` alone, if given), and nothing wider than it."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        if focus is not None:
            focus.scroll_into_view_if_needed()
        save_screenshot(name)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    page.set_viewport_size({"width": 1280, "height": 800})


def private_page_for(page, site, prefix, story):
    token = secrets.token_urlsafe(32)
    Story.objects.filter(pk=story.pk).update(withdrawal_token_hash=hash_withdrawal_token(token))
    page.goto(f"{site}{prefix}/my-story/{token}/")
    assert page.url == f"{site}{prefix}/my-story/"


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_narrator_chooses_the_licence_by_its_name_and_finds_it_on_their_page(
    page, site, language, save_screenshot
):
    prefix, labels = PREFIX[language], LABELS[language]
    reserved = Licence.objects.get(code="all-rights-reserved")
    default = Licence.objects.default()
    name_of = reserved.short_name_in(language)
    fill_risky_story(page, site, prefix, labels, f"Licence chosen ({language})")
    # The archive's default is selected first; the narrator chooses another by its short name.
    default_name = default.short_name_in(language)
    expect(page.get_by_label(default_name, exact=True)).to_be_checked()
    choice = page.get_by_label(name_of, exact=True)
    choice.check()
    expect(choice).to_be_checked()
    summary = reserved.summary_es if language == "es" else reserved.summary
    expect(page.locator(".described-choices")).to_contain_text(summary)
    assert_no_violations(page, f"share check step with the licences ({language})")
    look_at_every_width(
        page, save_screenshot, f"{language} share check licence", page.locator("#id_licence")
    )
    page.get_by_role("button", name=labels["send anyway"]).first.click()
    page.wait_for_url(f"**{prefix}/share/thanks/")
    story = Story.objects.get(title=f"Licence chosen ({language})")
    assert story.licence == reserved
    page.goto(page.locator("#private-link").inner_text())
    section = page.locator(".my-story-licence")
    expect(section.get_by_role("link", name=name_of)).to_have_attribute("href", reserved.url)
    expect(section).to_contain_text(summary)
    # The strictest there is: nothing to change it to.
    expect(section.locator("input[name=licence]")).to_have_count(0)
    assert_no_violations(page, f"private page with the strictest licence ({language})")


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_narrator_makes_their_licence_stricter_from_their_page(
    page, site, language, save_screenshot
):
    prefix = PREFIX[language]
    default = Licence.objects.default()
    reserved = Licence.objects.get(code="all-rights-reserved")
    story = make_story(title=f"Terms made stricter ({language})", licence=default)
    private_page_for(page, site, prefix, story)
    section = page.locator(".my-story-licence")
    expect(section.get_by_role("link", name=default.name_in(language))).to_be_visible()
    assert_no_violations(page, f"private page offering a stricter licence ({language})")
    look_at_every_width(page, save_screenshot, f"{language} private page licence", section)
    expect(page.get_by_label(reserved.short_name_in(language), exact=True)).to_be_checked()
    button = {"en": "Change to these terms", "es": "Cambiar a estas condiciones"}[language]
    section.get_by_role("button", name=button).click()
    page.wait_for_url(f"{site}{prefix}/my-story/")
    notice = page.get_by_role("status")
    expect(notice).to_contain_text(reserved.short_name_in(language))
    assert_no_violations(page, f"private page after the licence was made stricter ({language})")
    look_at_every_width(page, save_screenshot, f"{language} private page licence changed")
    story.refresh_from_db()
    assert story.licence == reserved


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_story_page_states_its_licence_and_the_data_page_how_to_ask(
    page, site, language, save_screenshot
):
    prefix = PREFIX[language]
    for code in ("cc-by-nc-nd-4.0", "all-rights-reserved"):
        licence = Licence.objects.get(code=code)
        story = Story.objects.published().filter(licence=licence).order_by("pk").first()
        page.goto(f"{site}{prefix}{story.get_absolute_url()}")
        terms = page.locator(".reuse-terms")
        licensed = terms.locator('a[rel="license"]')
        expect(licensed).to_have_attribute("href", licence.url)
        expect(licensed).to_have_text(licence.short_name_in(language))
        expect(terms).to_contain_text(licence.summary_in(language))
        assert_no_violations(page, f"story page under {code} ({language})")
        look_at_every_width(page, save_screenshot, f"{language} story aside {code}", terms)
        ask = terms.locator('a[href$="/data/#ask-to-republish"]')
        expect(ask).to_have_count(0 if licence.allows_republishing else 1)
    ask.click()
    page.wait_for_url(f"**{prefix}/data/#ask-to-republish")
    section = page.locator("#ask-to-republish")
    expect(section).to_be_in_viewport()
    assert_no_violations(page, f"data page ({language})")
    look_at_every_width(page, save_screenshot, f"{language} data page ask to republish", section)
