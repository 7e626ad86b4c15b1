"""Issue 23's review workspace in Chromium: the review on a phone and at a desk, and
the transcript stamped from the player (the sample archive's recordings are tones)."""

import datetime

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from stories.models import Story
from stories.moderators import MODERATORS_GROUP

from .helpers import assert_no_violations_in_admin

PARAGRAPHS = "The call came at night.\n\nWe drove to the clinic.\n\nNobody was there."


@pytest.fixture
def signed_in(page, site, django_user_model):
    moderator = django_user_model.objects.create_user(
        "lucia", "lucia@example.org", "workspace-passphrase-2026", is_staff=True
    )
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    page.goto(site + "/admin/")
    page.get_by_label("Username").fill("lucia")
    page.get_by_label("Password").fill("workspace-passphrase-2026")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Moderation desk")).to_be_visible()
    return page


@pytest.fixture
def recorded_story(sample_archive):
    story = Story.objects.filter(status=Story.Status.PENDING, recording__isnull=False).first()
    assert story is not None, "the sample archive has a pending story with a recording"
    return story


def scroll_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("width", [375, 1280])
def test_the_review_is_one_workspace_on_a_phone_and_at_a_desk(
    signed_in, site, recorded_story, width, save_screenshot
):
    page = signed_in
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site}/admin/stories/story/{recorded_story.pk}/review/")
    for heading in ("Recording", "Pull quote for cards", "Notes", "Decision"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    assert scroll_width(page) <= width
    assert_no_violations_in_admin(page, f"review at {width} px")
    save_screenshot("en review workspace")

    # Clearing asks for the box first; the browser's own check is not the only one.
    page.get_by_role("button", name="Clear the recording").click()
    assert page.get_by_label("I listened to all of it").evaluate("box => !box.validity.valid")
    page.get_by_label("I listened to all of it").check()
    page.get_by_role("button", name="Clear the recording").click()
    expect(page.get_by_text("Cleared by lucia on")).to_be_visible()
    assert scroll_width(page) <= width
    assert_no_violations_in_admin(page, f"review at {width} px, cleared")


def test_a_moderator_stamps_the_transcript_from_the_player(
    signed_in, site, recorded_story, save_screenshot
):
    page = signed_in
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{site}/admin/stories/story/{recorded_story.pk}/review/")
    page.get_by_role("link", name="Write the transcript with the player").click()
    page.wait_for_url(f"**/admin/stories/story/{recorded_story.pk}/transcript/")

    page.get_by_text("Paste or rewrite the whole text").click()
    page.get_by_label("The whole transcript as text").fill(PARAGRAPHS)
    page.get_by_role("button", name="Split into paragraphs").click()
    paragraphs = page.locator(".transcript-paragraph")
    expect(paragraphs).to_have_count(4)  # three, and an empty one to add a fourth

    # Play it: the player moves.
    player = page.locator("#transcript-player")
    paragraphs.nth(0).get_by_role("button", name="Play from here").click()
    for _ in range(50):  # the page's CSP forbids wait_for_function's evaluated strings
        if player.evaluate("audio => audio.currentTime") > 0.3:
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("the recording never played")
    player.evaluate("audio => audio.pause()")

    def at(second):
        player.evaluate(
            """(audio, second) => new Promise(done => {
                audio.addEventListener("seeked", done, {once: true});
                audio.currentTime = second;
            })""",
            second,
        )

    at(2)
    paragraphs.nth(0).get_by_role("button", name="Stamp").click()
    expect(page.locator(".transcript-status")).to_have_text("Paragraph 1 starts at 0:02.")
    at(9.6)
    paragraphs.nth(1).get_by_label("Words").focus()
    page.keyboard.press("Alt+S")  # stamps the paragraph in focus and moves to the next
    assert page.evaluate("document.activeElement.id") == "id_paragraph-2-text"
    at(20)
    page.keyboard.press("Alt+S")
    paragraphs.nth(1).get_by_role("button", name="One second later").click()
    expect(paragraphs.nth(1).get_by_label("Starts at")).to_have_value("0:10")
    expect(paragraphs.nth(2).get_by_label("Starts at")).to_have_value("0:20")

    assert scroll_width(page) <= 375
    assert_no_violations_in_admin(page, "transcript editor, stamped")
    save_screenshot("en transcript editor stamped")

    # A time typed out of order is refused, next to its paragraph, and the page stays usable.
    paragraphs.nth(2).get_by_label("Starts at").fill("0:05")
    page.get_by_role("button", name="Save the transcript").click()
    expect(
        page.get_by_text("Each paragraph must start later than the one before it.")
    ).to_be_visible()
    assert recorded_story.transcript.count() == 0
    assert scroll_width(page) <= 375
    assert_no_violations_in_admin(page, "transcript editor, a time refused")
    paragraphs.nth(2).get_by_label("Starts at").fill("0:20")
    page.get_by_role("button", name="Save the transcript").click()
    page.wait_for_url(f"**/admin/stories/story/{recorded_story.pk}/review/#recording")
    expect(page.get_by_text("Transcript saved.")).to_be_visible()
    expect(page.get_by_text("Transcript: 3 paragraphs.")).to_be_visible()

    saved = list(recorded_story.transcript.values_list("start", "text"))
    assert saved == [
        (datetime.timedelta(seconds=2), "The call came at night."),
        (datetime.timedelta(seconds=10), "We drove to the clinic."),
        (datetime.timedelta(seconds=20), "Nobody was there."),
    ]


def test_without_javascript_the_editor_takes_typed_times(
    browser, live_server, sample_archive, django_user_model
):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    page = context.new_page()
    site = live_server.url
    story = Story.objects.filter(status=Story.Status.PENDING, recording__isnull=False).first()
    moderator = django_user_model.objects.create_user("tomas", password="no-js-passphrase-2026")
    moderator.is_staff = True
    moderator.save()
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    page.goto(site + "/admin/")
    page.get_by_label("Username").fill("tomas")
    page.get_by_label("Password").fill("no-js-passphrase-2026")
    page.keyboard.press("Enter")
    page.wait_for_url(site + "/admin/")
    page.goto(f"{site}/admin/stories/story/{story.pk}/transcript/")
    expect(page.get_by_role("button", name="Stamp")).to_have_count(0)  # hidden without the script
    page.get_by_label("Starts at").fill("0:4")
    page.get_by_label("Words").fill("Typed by hand.")
    page.get_by_role("button", name="Save the transcript").click()
    expect(page.get_by_text("Type a time as minutes and seconds")).to_be_visible()
    page.get_by_label("Starts at").fill("0:04")
    page.get_by_role("button", name="Save the transcript").click()
    page.wait_for_url("**/review/#recording")
    assert list(story.transcript.values_list("text", flat=True)) == ["Typed by hand."]
    context.close()
