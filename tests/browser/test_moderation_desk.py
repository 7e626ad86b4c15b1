"""Issue 7 as its users meet it: readers reporting, a moderator working the
queue from the keyboard, and the transparency page over the sample archive."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from stories.models import Story
from stories.moderators import MODERATORS_GROUP

from .helpers import assert_no_violations, assert_no_violations_in_admin, focused


@pytest.mark.parametrize("language", ["en", "es"])
def test_three_readers_report_exposed_details_and_the_story_leaves(
    page, site, language, settings, save_screenshot
):
    # Three readers behind the site's proxy, each from an address of their own.
    settings.TRUSTED_PROXY_COUNT = 1
    prefix = "" if language == "en" else "/es"
    words = {
        "en": ("Report this story", "Personal information exposed", "Send the report"),
        "es": (
            "Señalar un problema con esta historia",
            "Expone información personal",
            "Enviar el aviso",
        ),
    }[language]
    story = Story.objects.published().filter(language="en").order_by("-published_at").first()
    for reader in ("198.51.100.1", "198.51.100.2", "2001:db8:1::7"):
        page.set_extra_http_headers({"X-Forwarded-For": reader})
        page.goto(site + prefix + story.get_absolute_url())
        page.get_by_role("link", name=words[0]).click()
        assert_no_violations(page, f"report form ({language})")
        page.get_by_label(words[1]).check()
        page.get_by_role("button", name=words[2]).click()
        page.wait_for_url(f"**{prefix}/report/thanks/")
    save_screenshot(f"{language} report thanks")

    story.refresh_from_db()
    assert story.status == Story.Status.PENDING
    response = page.goto(site + prefix + story.get_absolute_url())
    assert response.status == 404
    page.goto(site + prefix + "/stories/")
    assert story.title not in page.locator("main").inner_text()
    assert "3 readers reported personal information exposed" in story.events.last().note


def tab_to(page, text, presses=60):
    """Press Tab until the focused element's text (or name) is ``text``; return it."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        now = focused(page)
        if text in (now["text"].strip(), now["name"], now["value"]):
            assert now["outline"] >= 1, f"{text} has no visible focus"
            return now
    raise AssertionError(f"Tab never reached {text!r}")


def test_a_moderator_works_the_queue_from_the_desk_by_keyboard(
    page, site, django_user_model, save_screenshot
):
    moderator = django_user_model.objects.create_user(
        "rosa", "rosa@example.org", "desk-passphrase-2026", is_staff=True
    )
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    queue = list(Story.objects.filter(status=Story.Status.PENDING).order_by("submitted_at", "pk"))
    assert len(queue) >= 2

    page.goto(site + "/admin/")
    page.get_by_label("Username").fill("rosa")
    page.get_by_label("Password").fill("desk-passphrase-2026")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Moderation desk")).to_be_visible()
    tab_to(page, "Moderation desk")
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/stories/story/desk/")
    assert_no_violations_in_admin(page, "desk")
    save_screenshot("en admin moderation desk")

    tab_to(page, "Start with the oldest")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/admin/stories/story/{queue[0].pk}/review/")
    assert_no_violations_in_admin(page, "review")
    save_screenshot("en admin review")
    # The oldest holds an A-number: its decision starts with what must be done first.
    tab_to(page, "Skip to the decision")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "#shield"  # "Go to the findings"
    tab_to(page, "Next in the queue")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/admin/stories/story/{queue[1].pk}/review/")

    # The next one holds nothing back: approved from the keyboard.
    tab_to(page, "Skip to the decision")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "note"
    page.keyboard.type("Checked: nothing identifies anyone.")
    tab_to(page, "Approve and publish")
    page.keyboard.press("Enter")
    # Back to the oldest, which this moderator is reviewing still.
    page.wait_for_url(f"**/admin/stories/story/{queue[0].pk}/review/")
    expect(page.locator(".messagelist")).to_contain_text("Approved and published")

    # Declined for a reason chosen with the arrow keys.
    tab_to(page, "Skip to the decision")
    page.keyboard.press("Enter")
    tab_to(page, "reason")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.type("Sample rejection from the keyboard test.")
    tab_to(page, "Reject")
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("Rejected")

    oldest, second = (Story.objects.get(pk=story.pk) for story in queue[:2])
    assert second.status == Story.Status.APPROVED
    assert second.events.last().note == "Checked: nothing identifies anyone."
    assert oldest.status == Story.Status.REJECTED
    assert oldest.events.last().reason == "off_topic"  # the first reason in the list


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_transparency_page_shows_the_sample_archive_figures(
    page, site, language, save_screenshot
):
    prefix = "" if language == "en" else "/es"
    page.goto(site + prefix + "/")
    link = {"en": "How moderation works", "es": "Cómo funciona la moderación"}[language]
    page.get_by_role("link", name=link).click()
    page.wait_for_url(f"**{prefix}/about/moderation/")
    total = page.locator("table tfoot tr td").all_inner_texts()
    # The sample archive: 46 stories, 38 of them public now (one waits for its
    # date), 4 waiting, 2 declined (off topic; a duplicate), 1 withdrawn.
    assert total[:5] == ["46", "38", "4", "2", "1"]
    reasons = page.get_by_role("table").nth(1).inner_text()
    assert {"en": "Duplicate of another story", "es": "Duplicado de otra historia"}[
        language
    ] in reasons
    assert_no_violations(page, f"moderation ({language})")
    save_screenshot(f"{language} moderation transparency")
