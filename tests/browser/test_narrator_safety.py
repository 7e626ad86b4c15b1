"""
The identity shield and the private link, as a narrator and a moderator meet them:
an anonymous narrator types an A-number, a phone number and their own name, sees
all three flagged, sends anyway; a moderator sees them highlighted, redacts them
and approves; the narrator withdraws the story from its private page, or keeps it,
and the link's token travels in no request but the link's own. axe checks every
new page state in both languages.
"""

import re
import secrets

import pytest
from django.contrib.auth.models import Group

from stories.models import Story, hash_withdrawal_token
from stories.moderators import MODERATORS_GROUP

from ..factories import A_NUMBER, OWN_NAME, PHONE, make_story
from .helpers import (
    LABELS,
    assert_no_violations,
    continue_to,
    fill_risky_story,
    risky_answers,
    walk_share_form,
)


@pytest.mark.parametrize("language", ["en", "es"])
def test_shield_review_send_anyway_and_withdraw(page, site, language, save_screenshot):
    prefix = "" if language == "en" else "/es"
    labels = LABELS[language]
    title = f"Papers under the bed ({language})"
    fill_risky_story(page, site, prefix, labels, title)

    # The check step: all three flagged, nothing sent, every answer kept.
    marks = page.locator(".shield-summary mark.finding")
    assert sorted(marks.all_inner_texts()) == sorted([A_NUMBER, PHONE, OWN_NAME])
    assert answer_to(page, labels["title"]).inner_text() == title
    card = page.locator(".review-preview .preview-card").inner_text()
    assert card.strip() == labels["anonymous"]
    assert not Story.objects.filter(title=title).exists()
    assert_no_violations(page, f"review step ({language})")
    save_screenshot(f"{language} share review step")
    page.set_viewport_size({"width": 320, "height": 800})
    save_screenshot(f"{language} share review step")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("button", name=labels["send anyway"]).first.click()
    page.wait_for_url(f"**{prefix}/share/thanks/")
    link = page.locator("#private-link").inner_text()
    assert re.fullmatch(rf"{re.escape(site)}{prefix}/my-story/[\w-]{{40,}}/", link), link
    assert_no_violations(page, f"thanks with link ({language})")
    save_screenshot(f"{language} thanks with private link")
    story = Story.objects.get(title=title)
    assert A_NUMBER in story.body

    # The link leads to the private page, which withdraws it after a confirmation.
    page.goto(link)
    page.get_by_role("link", name=labels["withdraw"]).click()
    assert_no_violations(page, f"withdraw confirmation ({language})")
    page.get_by_role("button", name=labels["withdraw"]).click()
    page.wait_for_url(f"**{prefix}/my-story/")
    assert_no_violations(page, f"withdrawn ({language})")
    story.refresh_from_db()
    assert story.status == Story.Status.WITHDRAWN

    # The link still says "withdrawn", and offers nothing more.
    page.goto(link)
    assert {"en": "withdrawn", "es": "retirada"}[language] in page.locator("h2").first.inner_text()
    assert page.get_by_role("link", name=labels["withdraw"]).count() == 0


def answer_to(page, label):
    """The check step's answer given under ``label``."""
    row = page.locator(".answers .answer").filter(has=page.get_by_text(label, exact=True))
    return row.locator("dd.answer-value")


def test_moderator_sees_findings_redacts_and_approves(
    page, site, django_user_model, save_screenshot
):
    moderator = django_user_model.objects.create_user(
        "lupe", "lupe@example.org", "shield-passphrase-2026", is_staff=True
    )
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    fill_risky_story(page, site, "", LABELS["en"], "Papers under the bed")
    page.get_by_role("button", name="Send anyway").first.click()
    page.wait_for_url("**/share/thanks/")
    story = Story.objects.get(title="Papers under the bed")

    page.goto(site + "/admin/")
    page.get_by_label("Username").fill("lupe")
    page.get_by_label("Password").fill("shield-passphrase-2026")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{site}/admin/stories/story/{story.pk}/change/")
    findings = page.locator(".shield-findings mark.finding")
    assert sorted(findings.all_inner_texts()) == sorted([A_NUMBER, PHONE, OWN_NAME])
    save_screenshot("en admin story with shield findings")
    page.get_by_role("link", name="Choose findings to redact").click()
    assert page.get_by_role("checkbox").count() == 3
    save_screenshot("en admin redact")
    page.get_by_role("button", name="Redact the ticked details").click()
    assert "3 details redacted" in page.locator(".messagelist").inner_text()

    story.refresh_from_db()
    assert story.body.count("[redacted]") == 3
    story.approve(by=moderator)
    page.goto(site + story.get_absolute_url())
    text = page.locator("main").inner_text()
    for detail in (A_NUMBER, PHONE, OWN_NAME, "Martinez"):
        assert detail not in text
    assert "Anonymous" in text
    save_screenshot("en story after redaction")


WIDTHS = (375, 1280)


def save_at_every_width(page, save_screenshot, name):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        save_screenshot(name)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    page.set_viewport_size({"width": 1280, "height": 800})


@pytest.mark.parametrize("choice", ["keep", "withdraw"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_token_travels_only_in_the_links_own_address(
    page, site, language, choice, save_screenshot
):
    """Every request of the journey is recorded: URL and Referer, stylesheets included."""
    prefix = "" if language == "en" else "/es"
    token = secrets.token_urlsafe(32)
    story = make_story(
        title=f"Zqkept or not ({language})", withdrawal_token_hash=hash_withdrawal_token(token)
    )
    sent = []
    page.on("request", lambda request: sent.append((request.url, request.headers.get("referer"))))
    # As emailed before the private page existed: it leads there too.
    link = f"{site}{prefix}/withdraw/{token}/"

    page.goto(link)
    assert page.url == f"{site}{prefix}/my-story/"
    assert story.title in page.locator("main").inner_text()
    page.get_by_role("link", name=LABELS[language]["withdraw"]).click()
    page.wait_for_url(f"{site}{prefix}/my-story/withdraw/")
    if choice == "keep":
        name = {"en": "Keep my story", "es": "Conservar mi historia"}[language]
        page.get_by_role("link", name=name).click()
        page.wait_for_url(f"{site}{prefix}/my-story/")
        opened = 1
    else:
        save_at_every_width(page, save_screenshot, f"{language} withdraw confirmation")
        page.get_by_role("button", name=LABELS[language]["withdraw"]).click()
        page.wait_for_url(f"{site}{prefix}/my-story/")
        save_at_every_width(page, save_screenshot, f"{language} private page withdrawn")
        page.goto(link)  # still says "withdrawn", until the text is erased
        opened = 2
    story.refresh_from_db()
    kept = choice == "keep"
    assert story.status == (Story.Status.PENDING if kept else Story.Status.WITHDRAWN)

    carrying = [(url, referer) for url, referer in sent if token in f"{url} {referer}"]
    assert carrying == [(link, None)] * opened
    # The recorder does see Referers: the stylesheet's names the page without the token.
    assert (f"{site}/static/", f"{site}{prefix}/my-story/") in {
        (url[: len(site) + 8], referer) for url, referer in sent
    }


REVIEW_LABELS = {
    "en": {
        "remove": "Remove it for me",
        "nothing else": "Nothing else to check",
        "placeholders": ["[A-number removed]", "[phone number removed]", "[name removed]"],
    },
    "es": {
        "remove": "Quitarlo por mí",
        "nothing else": "Nada más que revisar",
        # The risky story is written in English (fill_risky_story says so): its
        # placeholders are in the story's language, not the page's.
        "placeholders": ["[A-number removed]", "[phone number removed]", "[name removed]"],
    },
}

PAGE_TOP = "selector => { const b = document.querySelector(selector).getBoundingClientRect();"
PAGE_TOP += " return {top: b.top + scrollY, bottom: b.bottom + scrollY}; }"


@pytest.mark.parametrize("language", ["en", "es"])
def test_on_a_phone_the_review_step_acts_first_and_removes_for_the_narrator(
    page, site, language, save_screenshot
):
    prefix = "" if language == "en" else "/es"
    labels = {**LABELS[language], **REVIEW_LABELS[language]}
    title = f"Remove it for me ({language})"
    page.set_viewport_size({"width": 375, "height": 800})
    line = f"{labels['anonymous']}, office cleaner · Pico-Union · 2025"

    def about_you(page):
        # With JavaScript, the name box is asked only for "With a name I choose".
        name_box = page.get_by_label(labels["name"], exact=False)
        assert not name_box.is_visible()
        assert not page.locator(".live-preview").is_visible()  # nothing chosen, nothing shown
        page.get_by_label(labels["named"], exact=True).check()
        assert name_box.is_visible()
        name_box.fill("Lupe")
        live_card = page.locator(".live-preview .preview-card")
        assert live_card.inner_text() == "Lupe"  # what readers will see, as the narrator types
        risky_answers(labels, title)["about-you"](page)
        assert not name_box.is_visible()  # anonymous: the typed name is kept for the shield only
        page.locator("#id_narrator_descriptor").fill("office cleaner")
        page.locator("#id_place").fill("Pico-Union")
        page.locator("#id_year_happened").fill("2025")
        assert " ".join(live_card.inner_text().split()) == line

    fill_risky_story(page, site, prefix, labels, title, about_you=about_you)

    # The findings first, the two actions right under them: within two phone screens.
    assert page.locator(".findings > li").count() == 3
    findings = page.evaluate(PAGE_TOP, ".findings")
    actions = page.evaluate(PAGE_TOP, ".shield-summary .form-actions")
    assert actions["top"] >= findings["bottom"]
    assert actions["bottom"] - findings["top"] <= 2 * 800, (findings, actions)
    assert page.locator(".shield-summary .form-actions button").count() == 2
    card = " ".join(page.locator(".review-preview .preview-card").inner_text().split())
    assert card == line
    assert page.locator(".preview-warning li").count() == 1  # all three together
    assert_no_violations(page, f"review step on a phone ({language})")
    save_at_every_width(page, save_screenshot, f"{language} share review remove it for me")

    # Enter in a field checks again: it never removes a detail. (The check step's only
    # one-line field is the consent box: the story's texts there are text areas.)
    page.set_viewport_size({"width": 375, "height": 800})
    first_button = "document.querySelector('#share-form button[type=submit]').name"
    assert page.evaluate(first_button) == "check"
    with page.expect_navigation():
        page.get_by_label(labels["consent"], exact=False).press("Enter")
    assert page.locator(".findings > li").count() == 3
    assert A_NUMBER in page.get_by_role("textbox", name=labels["body"]).input_value()

    for remaining in (2, 1, 0):
        with page.expect_navigation():
            page.get_by_role("button", name=labels["remove"]).first.click()
        assert page.locator(".findings > li").count() == remaining
        if remaining == 2:
            assert_no_violations(page, f"review step after a removal ({language})")
            save_at_every_width(page, save_screenshot, f"{language} share review one removed")
    assert page.locator(".shield-summary h2").inner_text() == labels["nothing else"]
    assert answer_to(page, labels["title"]).inner_text() == title
    card = " ".join(page.locator(".review-preview .preview-card").inner_text().split())
    assert card == line  # still anonymous
    assert_no_violations(page, f"review step, nothing left ({language})")
    save_at_every_width(page, save_screenshot, f"{language} share review nothing left")

    # The story, changed on its own step (its Change link), says what was removed.
    page.set_viewport_size({"width": 375, "height": 800})
    # (The check step counts the written story's characters instead of quoting it.)
    story_answer = page.locator(".answers .answer").filter(
        has=page.locator("dt", has_text=re.compile(f"^{labels['body']}$"))
    )
    story_answer.get_by_role("link").click()
    page.wait_for_url(f"**{prefix}/share/story/")
    body = page.get_by_role("textbox", name=labels["body"], exact=True).input_value()
    for placeholder in labels["placeholders"]:
        assert placeholder in body
    for detail in (A_NUMBER, PHONE, OWN_NAME):
        assert detail not in body
    continue_to(page, "about-your-story")
    assert page.get_by_label(labels["title"]).input_value() == title
    walk_share_form(page, site, prefix, {}, start=False)
    assert page.locator(".findings > li").count() == 0
    page.get_by_label(labels["consent"], exact=False).check()
    page.get_by_role("button", name=labels["send"]).click()
    page.wait_for_url(f"**{prefix}/share/thanks/")
    story = Story.objects.get(title=title)
    assert story.is_anonymous and story.sent_with_findings == []
    for placeholder in labels["placeholders"]:
        assert placeholder in story.body
