"""
After sending, in a browser at a phone's width and a desk's, in both languages: the
thank-you page's Copy button puts the private link on the clipboard (and without
JavaScript the link is plain text to select), the card downloads, and the private
page says "waiting", then what a moderator decided; a correction goes through the
identity shield first. axe checks every state; screenshots at 375 and 1280 px.
"""

import re
import secrets

import pytest
from playwright.sync_api import expect

from stories.models import Story, hash_withdrawal_token

from ..factories import PHONE, make_story
from .helpers import LABELS, assert_no_violations, fill_risky_story

WIDTHS = (375, 1280)


def look_at_every_width(page, save_screenshot, name):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        save_screenshot(name)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    page.set_viewport_size({"width": 1280, "height": 800})


@pytest.mark.parametrize("language", ["en", "es"])
def test_thank_you_page_copies_the_link_and_offers_the_card(page, site, language, save_screenshot):
    prefix = "" if language == "en" else "/es"
    labels = LABELS[language]
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    fill_risky_story(page, site, prefix, labels, f"Copied link ({language})")
    page.get_by_role("button", name=labels["send anyway"]).first.click()
    page.wait_for_url(f"**{prefix}/share/thanks/")
    link = page.locator("#private-link").inner_text()
    assert f"{prefix}/my-story/" in link
    assert_no_violations(page, f"thanks with private link ({language})")
    look_at_every_width(page, save_screenshot, f"{language} thanks with private link")

    copy = {"en": "Copy the link", "es": "Copiar el enlace"}[language]
    page.get_by_role("button", name=copy).click()
    expect(page.locator(".copy-status")).to_contain_text(
        {"en": "Copied", "es": "Copiado"}[language]
    )
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert_no_violations(page, f"thanks after copying ({language})")

    save = {"en": "Save it as an image", "es": "Guardarlo como imagen"}[language]
    with page.expect_download() as download:
        page.get_by_role("link", name=save).click()
    card = download.value
    assert card.suggested_filename == "my-story-private-link.svg"
    svg = open(card.path(), encoding="utf-8").read()
    assert "".join(re.findall(r'font-family="monospace"[^>]*>([^<]*)<', svg)) == link
    assert "<path" in svg  # the QR code


def test_without_javascript_the_link_is_text_and_no_dead_button(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    fill_risky_story(page, site, "", LABELS["en"], "No script")
    page.get_by_role("button", name="Send anyway").first.click()
    page.wait_for_url("**/share/thanks/")
    assert "/my-story/" in page.locator("#private-link").inner_text()
    assert not page.get_by_role("button", name="Copy the link").is_visible()
    context.close()


def private_page_for(page, site, prefix, story):
    token = secrets.token_urlsafe(32)
    Story.objects.filter(pk=story.pk).update(withdrawal_token_hash=hash_withdrawal_token(token))
    page.goto(f"{site}{prefix}/my-story/{token}/")
    assert page.url == f"{site}{prefix}/my-story/"


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_private_page_in_every_state(page, site, language, save_screenshot, django_user_model):
    prefix = "" if language == "en" else "/es"
    moderator = django_user_model.objects.create_user("ana", "ana@example.org", "pass-2026-x")
    story = make_story(title=f"Mi tía y el consulado ({language})", language=language)
    private_page_for(page, site, prefix, story)
    words = {
        "en": ("waiting for review", "published", "not published"),
        "es": ("esperando revisión", "publicada", "no publicada"),
    }[language]
    heading = page.locator("#status-heading")
    assert words[0] in heading.inner_text()
    assert_no_violations(page, f"private page waiting ({language})")
    look_at_every_width(page, save_screenshot, f"{language} private page waiting")

    # A correction: the identity shield shows what it finds before anything is sent.
    page.get_by_role(
        "link", name={"en": "Ask for a correction", "es": "Pedir una corrección"}[language]
    ).click()
    assert_no_violations(page, f"correction form ({language})")
    look_at_every_width(page, save_screenshot, f"{language} correction form")
    page.locator("textarea").fill(f"Please remove my number {PHONE}")
    page.locator("main button[type=submit]").click()
    expect(page.locator(".shield-summary mark.finding")).to_have_text(PHONE)
    assert_no_violations(page, f"correction with findings ({language})")
    look_at_every_width(page, save_screenshot, f"{language} correction with findings")
    page.locator("textarea").fill("Please remove the name of my street")
    page.locator("main button[name=check]").click()
    page.wait_for_url(f"{site}{prefix}/my-story/")
    expect(page.locator(".notice")).to_be_visible()
    assert story.events.last().narrator_message == "Please remove the name of my street"

    story.approve(by=moderator)
    page.reload()
    assert heading.inner_text().endswith(words[1])
    assert page.locator(f'a[href="{prefix}{story.get_absolute_url()}"]').count() == 1
    assert_no_violations(page, f"private page published ({language})")
    look_at_every_width(page, save_screenshot, f"{language} private page published")

    declined = make_story(title=f"Declined ({language})", language=language)
    declined.reject(
        by=moderator,
        reason="not_first_hand",
        note_to_narrator="Cuéntenos lo que usted vivió."
        if language == "es"
        else "Tell us what you lived.",
    )
    private_page_for(page, site, prefix, declined)
    assert heading.inner_text().endswith(words[2])
    assert_no_violations(page, f"private page declined ({language})")
    look_at_every_width(page, save_screenshot, f"{language} private page declined")
