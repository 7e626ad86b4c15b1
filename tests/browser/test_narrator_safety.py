"""
The identity shield and the withdrawal link, as a narrator and a moderator meet them:
an anonymous narrator types an A-number, a phone number and their own name, sees
all three flagged, sends anyway; a moderator sees them highlighted, redacts them
and approves; the narrator withdraws the story with the link. axe checks every
new page state in both languages.
"""

import re

import pytest
from django.contrib.auth.models import Group

from stories.models import Story
from stories.moderators import MODERATORS_GROUP

from .test_accessibility import assert_no_violations

A_NUMBER = "A-123-456-789"
PHONE = "(213) 555-0142"
OWN_NAME = "Rosa Elena Martinez"
BODY = (
    "When the raids started I kept every paper in a folder under the bed. "
    f"My brother's A-number is {A_NUMBER} and the lawyer said to call {PHONE} any time. "
    f"At the church everybody knows me as {OWN_NAME}, and that is why I am afraid. "
    "The city said it would not help the agents, and for the first time I went to the clinic."
)
LABELS = {
    "en": {
        "title": "Title",
        "body": "Your story (required)",
        "language": "English",
        "perspective": "Immigrants",
        "name": "Name to show with your story",
        "anonymous": "Stay anonymous",
        "consent": "I agree",
        "send": "Send my story for review",
        "send anyway": "Send anyway",
        "withdraw": "Withdraw my story",
    },
    "es": {
        "title": "Título",
        "body": "Su historia (obligatorio)",
        "language": "Inglés",
        "perspective": "Inmigrantes",
        "name": "Nombre que se mostrará con su historia",
        "anonymous": "Mantenerme en el anonimato",
        "consent": "Acepto",
        "send": "Enviar mi historia para revisión",
        "send anyway": "Enviar de todos modos",
        "withdraw": "Retirar mi historia",
    },
}


def fill_risky_story(page, labels, title):
    page.get_by_label(labels["title"]).fill(title)
    page.get_by_role("textbox", name=labels["body"]).fill(BODY)
    page.get_by_label(labels["language"], exact=True).check()
    page.get_by_label(labels["perspective"]).check()
    page.get_by_label(labels["name"], exact=False).fill(OWN_NAME)
    page.get_by_label(labels["anonymous"], exact=False).check()
    page.get_by_label(labels["consent"], exact=False).check()


@pytest.mark.parametrize("language", ["en", "es"])
def test_shield_review_send_anyway_and_withdraw(page, site, language, save_screenshot):
    prefix = "" if language == "en" else "/es"
    labels = LABELS[language]
    title = f"Papers under the bed ({language})"
    page.goto(site + prefix + "/share/")
    fill_risky_story(page, labels, title)
    page.get_by_role("button", name=labels["send"]).click()

    # The review step: all three flagged, nothing sent, every field kept.
    marks = page.locator(".shield-summary mark.finding")
    assert sorted(marks.all_inner_texts()) == sorted([A_NUMBER, PHONE, OWN_NAME])
    assert page.get_by_label(labels["title"]).input_value() == title
    assert page.get_by_label(labels["anonymous"], exact=False).is_checked()
    assert not Story.objects.filter(title=title).exists()
    assert_no_violations(page, f"review step ({language})")
    save_screenshot(f"{language} share review step")
    page.set_viewport_size({"width": 320, "height": 800})
    save_screenshot(f"{language} share review step")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("button", name=labels["send anyway"]).click()
    page.wait_for_url(f"**{prefix}/share/thanks/")
    link = page.locator("#withdrawal-link").inner_text()
    assert re.fullmatch(rf"{re.escape(site)}{prefix}/withdraw/[\w-]{{40,}}/", link), link
    assert_no_violations(page, f"thanks with link ({language})")
    save_screenshot(f"{language} thanks with withdrawal link")
    story = Story.objects.get(title=title)
    assert A_NUMBER in story.body

    # The link withdraws it, after a confirmation.
    page.goto(link)
    assert_no_violations(page, f"withdraw confirmation ({language})")
    save_screenshot(f"{language} withdraw confirmation")
    page.get_by_role("button", name=labels["withdraw"]).click()
    page.wait_for_url(f"**{prefix}/withdraw/done/")
    assert_no_violations(page, f"withdrawn ({language})")
    save_screenshot(f"{language} withdraw done")
    story.refresh_from_db()
    assert story.status == Story.Status.WITHDRAWN

    # Used once, the link no longer works; the page says so without saying more.
    page.goto(link)
    assert page.locator("h1").inner_text() in {"This link does not work", "Este enlace no funciona"}
    assert_no_violations(page, f"used link ({language})")
    save_screenshot(f"{language} withdraw link used")


def test_moderator_sees_findings_redacts_and_approves(
    page, site, django_user_model, save_screenshot
):
    moderator = django_user_model.objects.create_user(
        "lupe", "lupe@example.org", "shield-passphrase-2026", is_staff=True
    )
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    page.goto(site + "/share/")
    fill_risky_story(page, LABELS["en"], "Papers under the bed")
    page.get_by_role("button", name="Send my story for review").click()
    page.get_by_role("button", name="Send anyway").click()
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
