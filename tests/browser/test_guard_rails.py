"""Issue 23, guard: a moderator cannot publish over a finding of the identity shield.

The A-number is highlighted in the text, approving is refused with a message
naming it, one finding is redacted and one waived with a reason, then the story
is approved. Signed in with the browser's language (en, es-MX).
"""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from stories.models import Story
from stories.moderators import MODERATORS_GROUP
from tests.factories import make_story

from .helpers import assert_no_violations_in_admin

A_NUMBER = "A123456789"
PHONE = "(213) 555-0147"
PASSWORD = "guard-passphrase-2026"


@pytest.fixture(params=["en-US", "es-MX"])
def browser_context_args(browser_context_args, request):
    return {**browser_context_args, "locale": request.param}


def test_a_moderator_resolves_each_finding_before_publishing(
    page, site, django_user_model, save_screenshot, browser_context_args
):
    language = browser_context_args["locale"][:2]
    moderator = django_user_model.objects.create_user(
        "rosa", "rosa@example.org", PASSWORD, is_staff=True
    )
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    story = make_story(
        title="The morning they came",
        body=(
            f"They asked for my papers. My A-number is {A_NUMBER}, I said, and waited.\n\n"
            f"Later the consulate's office answered at {PHONE} and helped us. "
            "We stayed together, and the children went back to school that week."
        ),
    )

    page.goto(site + "/admin/")
    page.locator("#id_username").fill("rosa")
    page.locator("#id_password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#user-tools")).to_be_visible()
    page.goto(f"{site}/admin/stories/story/{story.pk}/review/")

    blocking = page.locator(".review-passage mark.finding-blocks")
    expect(blocking.filter(has_text=A_NUMBER)).to_be_visible()
    expect(blocking).to_have_count(2)
    assert_no_violations_in_admin(page, f"review page ({language})")
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        # The identity shield's block fits a phone, whatever the rest of the page does.
        assert page.evaluate(
            "() => { const s = document.querySelector('#shield');"
            " return s.scrollWidth <= s.clientWidth + 1; }"
        )
        save_screenshot(f"{language} admin review with findings")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.locator("#decision button.default").click()
    refusal = page.locator(".messagelist .warning")
    expect(refusal).to_contain_text({"en": "A-number", "es": "número A"}[language])
    assert A_NUMBER not in refusal.inner_text() and "555" not in refusal.inner_text()
    assert Story.objects.get(pk=story.pk).status == Story.Status.PENDING
    save_screenshot(f"{language} admin review approval refused")

    a_number = page.locator(".shield-decisions li", has=page.locator("mark", has_text=A_NUMBER))
    a_number.locator("form:has(input[value=redact]) button").click()
    expect(page.locator(".review-passage mark.finding-blocks")).to_have_count(1)

    phone = page.locator(".shield-decisions li", has=page.locator("mark", has_text=PHONE))
    phone.locator("input[name=reason]").fill("A public office's number")
    phone.locator("form.shield-waive button").click()
    expect(page.locator(".review-passage mark.finding-blocks")).to_have_count(0)
    expect(page.locator(".review-passage mark.finding-waived")).to_have_count(1)
    assert_no_violations_in_admin(page, f"review page, findings resolved ({language})")
    save_screenshot(f"{language} admin review findings resolved")

    page.locator("#decision button.default").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    story.refresh_from_db()
    assert story.status == Story.Status.APPROVED
    assert A_NUMBER not in story.body and PHONE in story.body
    notes = list(story.events.values_list("note", flat=True))
    assert any(note.startswith("Waived: phone in body") for note in notes)
