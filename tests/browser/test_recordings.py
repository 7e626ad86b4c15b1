"""A recording: sent with a story, kept private until cleared, followed through its transcript."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from stories.models import Story
from stories.moderators import MODERATORS_GROUP

from ..factories import wav_bytes
from .helpers import (
    assert_no_violations,
    assert_no_violations_in_admin,
    start_share,
    walk_share_form,
)

TITLE = "The night shift at the bus depot"
BODY = "I drove the last bus on Vermont for nine years, and I saw the city change. " * 4


def heard_story():
    """The sample archive's published story with a cleared recording and a transcript."""
    return Story.objects.published().with_public_recording().first()


def test_a_reader_jumps_through_the_recording_by_its_transcript(page, site, save_screenshot):
    story = heard_story()
    page.goto(site + story.get_absolute_url())
    audio = page.locator("audio#recording-player")
    expect(audio).to_be_visible()
    # The player read the recording's length from the guarded road.
    page.wait_for_function("document.querySelector('audio').readyState >= 1")
    assert page.evaluate("document.querySelector('audio').duration") > 60

    paragraphs = page.locator("ol.transcript li")
    third = paragraphs.nth(2)
    start = float(third.get_attribute("data-start"))
    assert start > 10
    third.locator("p").click()  # the words, not only the time
    page.wait_for_function(f"Math.abs(document.querySelector('audio').currentTime - {start}) < 1.5")
    expect(third).to_have_class("current")
    expect(third).to_have_attribute("aria-current", "true")
    expect(paragraphs.nth(0)).not_to_have_attribute("aria-current", "true")
    save_screenshot("story with recording, third paragraph playing")

    # By keyboard: the times are links.
    first_time = paragraphs.nth(0).get_by_role("link")
    first_time.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('audio').currentTime < 1.5")
    expect(paragraphs.nth(0)).to_have_attribute("aria-current", "true")


def test_without_javascript_the_player_and_transcript_are_there(browser, site):
    story = heard_story()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + story.get_absolute_url())
    expect(page.locator("audio#recording-player")).to_be_visible()
    expect(page.locator("audio track[kind=captions]")).to_have_count(1)
    link = page.locator("ol.transcript li").nth(1).get_by_role("link")
    assert f"/recordings/{story.pk}/#t=" in link.get_attribute("href")
    context.close()


def test_a_recording_stays_private_until_a_moderator_clears_it(
    page, site, django_user_model, tmp_path, save_screenshot
):
    moderator = django_user_model.objects.create_user(
        "lupe", "lupe@example.org", "journey-passphrase-2026", is_staff=True
    )
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    recording_file = tmp_path / "my-story.wav"
    recording_file.write_bytes(wav_bytes(seconds=3.0))

    # A narrator sends a story with a recording; the shield asks them to check a detail.
    start_share(page, site, telling="record")
    page.get_by_text("Add some written words (optional)").click()
    page.get_by_role("textbox", name="Your story", exact=True).fill(
        BODY + " My number is (213) 555-0147."
    )
    page.get_by_label("A recording of your story").set_input_files(recording_file)

    def about_you(page):
        page.get_by_label("Anonymous", exact=True).check()
        page.get_by_label("Publish my recording").check()

    answers = {
        "about-your-story": lambda page: page.get_by_label("Title").fill(TITLE),
        "where-you-stand": lambda page: page.get_by_label("Law enforcement").check(),
        "about-you": about_you,
    }
    walk_share_form(page, site, "", answers, start=False)
    expect(page.locator("h1")).to_have_text("Check and send")
    expect(page.locator(".shield-summary mark.finding")).to_have_text("(213) 555-0147")
    recording = page.locator(".answers .answer", has_text="A recording of your story")
    expect(recording.locator(".answer-value")).to_have_text("0:03")
    page.get_by_label("I agree", exact=False).check()
    save_screenshot("share review with a held recording")
    assert_no_violations(page, "share review with a held recording")
    page.get_by_role("button", name="Send anyway").first.click()
    page.wait_for_url("**/share/thanks/")

    story = Story.objects.get(title=TITLE)
    recording_url = f"{site}/recordings/{story.pk}/"
    assert page.request.get(recording_url).status == 404

    # A moderator approves the story: it is public, its recording not yet.
    page.goto(site + "/admin/")
    page.get_by_label("Username").fill("lupe")
    page.get_by_label("Password").fill("journey-passphrase-2026")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{site}/admin/stories/story/{story.pk}/review/")
    # The number the narrator sent anyway holds the story back until it is redacted.
    page.locator(".shield-decisions li", has_text="555-0147").get_by_role(
        "button", name="Redact"
    ).click()
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    story.refresh_from_db()
    assert story.is_visible and "555-0147" not in story.body
    assert page.request.get(recording_url).status == 404
    page.goto(site + story.get_absolute_url())
    expect(page.locator("audio")).to_have_count(0)

    # They listen on the story's page in the admin, then clear it.
    page.goto(f"{site}/admin/stories/story/{story.pk}/change/")
    admin_player = page.locator(".inline-related audio")
    expect(admin_player).to_be_visible()
    save_screenshot("admin story with a recording to listen to")
    # The recording's and the transcript's parts of the form (Django's own widgets for
    # themes and the embargo date have findings of their own, docs/accessibility.md).
    assert_no_violations_in_admin(
        page,
        "a recording and its transcript in the admin",
        within="#recording-group, #transcript-group",
    )
    page.get_by_role("checkbox", name="Listened to and cleared").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    response = page.request.get(recording_url, headers={"Range": "bytes=0-3"})
    assert response.status == 206
    assert response.body() == b"RIFF"
    page.goto(site + story.get_absolute_url())
    expect(page.locator("audio#recording-player")).to_be_visible()
    save_screenshot("story with a newly cleared recording")
    assert_no_violations(page, "story with a newly cleared recording")


OVER_THE_LIMIT = {
    "en": {
        "title": "Title",
        "body": "Your story",
        "recording": "A recording of your story",
        "later": "Not before a date I choose",
        "written too": "Add some written words (optional)",
        "perspective": "Immigrants",
        "anonymous": "Anonymous",
        "refused": "The archive cannot take more recordings just now.",
    },
    "es": {
        "title": "Título",
        "body": "Su historia",
        "recording": "Una grabación de su historia",
        "later": "No antes de una fecha que yo elija",
        "written too": "Agregar algo por escrito (opcional)",
        "perspective": "Inmigrantes",
        "anonymous": "Anónimo",
        "refused": "El archivo no puede recibir más grabaciones en este momento.",
    },
}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("width", [375, 1280])
def test_over_the_recordings_limit_the_form_comes_back_with_everything_typed(
    page, site, settings, tmp_path, language, width, save_screenshot
):
    settings.RECORDING_HOLD_BYTES_TOTAL = 1_000  # less than any recording
    words = OVER_THE_LIMIT[language]
    recording_file = tmp_path / "my-story.wav"
    recording_file.write_bytes(wav_bytes(seconds=2.0))
    page.set_viewport_size({"width": width, "height": 900})
    prefix = "" if language == "en" else "/es"
    start_share(page, site, prefix, telling="record")
    page.get_by_text(words["written too"]).click()
    page.get_by_role("textbox", name=words["body"], exact=True).fill(BODY)
    # The embargo date is asked on a later step: answered first, the recording chosen after.
    answers = {
        "about-your-story": lambda page: page.get_by_label(words["title"]).fill(TITLE),
        "where-you-stand": lambda page: page.get_by_label(words["perspective"]).check(),
        "about-you": lambda page: page.get_by_label(words["anonymous"], exact=True).check(),
    }
    walk_share_form(page, site, prefix, answers, until="details", start=False)
    page.get_by_label(words["later"]).check()
    page.locator("#id_embargo_date").fill("2031-05-04")  # as a date picker sends it
    walk_share_form(page, site, prefix, {}, start=False)
    page.goto(f"{site}{prefix}/share/story/")  # its Change link
    page.get_by_label(words["recording"]).set_input_files(recording_file)
    with page.expect_navigation():
        page.locator("#share-form .step-actions button[name=next]").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(words["refused"])
    expect(page.locator("#id_recording_errors")).to_contain_text(words["refused"])
    expect(page.get_by_role("textbox", name=words["body"], exact=True)).to_have_value(BODY)
    assert_no_violations(page, f"share form over the recordings limit ({language})")
    save_screenshot(f"{language} share over the recordings limit")
    page.goto(f"{site}{prefix}/share/about-your-story/")
    expect(page.get_by_label(words["title"])).to_have_value(TITLE)
    page.goto(f"{site}{prefix}/share/details/")
    expect(page.locator("#id_embargo_date")).to_have_value("2031-05-04")
