"""A narrator records a story in the browser (Chromium's fake microphone) and sends it unwritten."""

import pytest
from playwright.sync_api import expect

from stories.models import Recording, Story

from .helpers import assert_no_violations, send_recorded_story, start_share

# The recorder's own status; the recording's upload, sent ahead of the form, has its own.
RECORDER_STATUS = "[data-recorder] [role=status]"
UPLOAD_STATUS = "[data-upload-status]"

WORDS = {
    "en": {
        "prefix": "",
        "title": "Title",
        "start": "Start recording",
        "pause": "Pause",
        "resume": "Resume",
        "stop": "Stop",
        "again": "Record again",
        "ready": "Your recording is ready.",
        "saved": "is saved with this form",
        "language": "Spanish",
        "perspective": "Immigrants",
        "anonymous": "Anonymous",
        "voice": "Publish my recording",
        "consent": "I agree",
        "send": "Send my story for review",
    },
    "es": {
        "prefix": "/es",
        "title": "Título",
        "start": "Empezar a grabar",
        "pause": "Pausa",
        "resume": "Reanudar",
        "stop": "Terminar",
        "again": "Volver a grabar",
        "ready": "Su grabación está lista.",
        "saved": "quedó guardada con este formulario",
        "language": "Español",
        "perspective": "Inmigrantes",
        "anonymous": "Anónimo",
        "voice": "Publicar mi grabación",
        "consent": "Acepto",
        "send": "Enviar para revisión",
    },
}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("width", [375, 1280])
def test_a_narrator_records_listens_and_sends_without_writing(
    page, site, save_screenshot, language, width
):
    words = WORDS[language]
    page.set_viewport_size({"width": width, "height": 800})
    start_share(page, site, words["prefix"], telling="record")
    title = f"Told aloud at {width} px in {language}"

    record = page.get_by_role("button", name=words["start"])
    expect(record).to_be_visible()
    assert_no_violations(page, f"share form with the recorder, {language}")
    record.click()
    # The clock runs and the level meter hears the fake microphone's tone.
    page.wait_for_function("() => document.querySelector('[data-clock]').textContent >= '0:01'")
    page.wait_for_function("() => document.querySelector('[data-level]').value > 0")
    recorder = page.locator("[data-recorder]")
    recorder.get_by_role("button", name=words["pause"]).click()
    recorder.get_by_role("button", name=words["resume"]).click()
    page.wait_for_function("() => document.querySelector('[data-clock]').textContent >= '0:02'")
    save_screenshot(f"recorder while recording, {language}")
    page.get_by_role("button", name=words["stop"]).click()

    expect(page.locator(RECORDER_STATUS)).to_contain_text(words["ready"])
    expect(page.get_by_role("button", name=words["again"])).to_be_focused()
    playback = page.locator("[data-playback]")
    expect(playback).to_be_visible()
    page.wait_for_function("() => document.querySelector('[data-playback]').readyState >= 1")
    # Sent ahead and held for this form: the field is emptied, so the form does not send it twice.
    expect(page.locator(UPLOAD_STATUS)).to_contain_text(words["saved"])
    assert page.evaluate("document.getElementById('id_recording').files.length") == 0
    assert_no_violations(page, f"share form with a recording made, {language}")
    save_screenshot(f"recorder with a recording ready, {language}")

    send_recorded_story(page, site, words, title, words["voice"])

    story = Story.objects.get(title=title)
    assert story.body == ""
    recording = story.recording
    # Chromium writes WebM/Opus; the archive keeps it as Ogg Opus, stripped.
    assert recording.mime_type == "audio/ogg"
    assert 1.5 < recording.duration < 30
    assert not recording.is_cleared


def test_record_again_replaces_the_recording(page, site):
    start_share(page, site, telling="record")
    page.get_by_role("button", name="Start recording").click()
    page.wait_for_function("() => document.querySelector('[data-clock]').textContent >= '0:01'")
    page.get_by_role("button", name="Stop").click()
    expect(page.locator(UPLOAD_STATUS)).to_contain_text("is saved with this form")
    page.get_by_role("button", name="Record again").click()
    # Recording anew empties the file field until the new recording is stopped.
    assert page.evaluate("document.getElementById('id_recording').files.length") == 0
    expect(page.locator("[data-playback]")).to_be_hidden()
    page.wait_for_function("() => document.querySelector('[data-clock]').textContent >= '0:01'")
    page.get_by_role("button", name="Stop").click()
    expect(page.locator(RECORDER_STATUS)).to_contain_text("Your recording is ready.")
    expect(page.locator(UPLOAD_STATUS)).to_contain_text("is saved with this form")
    # The first, held for the form, was replaced and deleted.
    assert Recording.objects.held().count() == 1


def test_the_recorder_is_keyboard_operable(page, site):
    start_share(page, site, telling="record")
    page.get_by_role("button", name="Start recording").focus()
    page.keyboard.press("Enter")
    # Focus follows the controls, so a keyboard or screen-reader user is never left behind.
    expect(page.get_by_role("button", name="Stop")).to_be_focused()
    page.wait_for_function("() => document.querySelector('[data-clock]').textContent >= '0:01'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Record again")).to_be_focused()


def test_the_recorder_stops_itself_at_the_limit(page, site, settings):
    settings.RECORDING_MAX_SECONDS = 2
    start_share(page, site, telling="record")
    page.get_by_role("button", name="Start recording").click()
    expect(page.locator(RECORDER_STATUS)).to_contain_text("limit", timeout=10_000)
    expect(page.locator(UPLOAD_STATUS)).to_contain_text("is saved with this form")
    assert Recording.objects.held().count() == 1


def test_without_javascript_the_file_field_does_it_all(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    start_share(page, site, telling="record")
    expect(page.get_by_role("button", name="Start recording")).to_be_hidden()
    expect(page.get_by_label("A recording of your story")).to_be_visible()
    context.close()
