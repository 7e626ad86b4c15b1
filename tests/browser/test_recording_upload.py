"""A recording is sent ahead of the form in the background, and a dropped connection loses nothing.

Playwright stands in for a phone losing its connection: the upload's request is aborted.
"""

from playwright.sync_api import expect

from stories.models import Recording, Story

from ..factories import wav_bytes
from .helpers import assert_no_violations, start_share, walk_share_form

UPLOAD = "**/share/recording/"
LOST = "Connection lost. Your recording is kept on this page"
SAVED = "is saved with this form"


def record(page, seconds="0:02"):
    page.get_by_role("button", name="Start recording").click()
    page.wait_for_function(
        f"() => document.querySelector('[data-clock]').textContent >= '{seconds}'"
    )
    page.get_by_role("button", name="Stop").click()


def files_in_the_field(page):
    return page.evaluate("document.getElementById('id_recording').files.length")


def send(page, site, title):
    """Told through the steps that follow the recording, from the step open in the page."""

    def about_your_story(page):
        page.get_by_label("Title").fill(title)
        page.get_by_label("Spanish", exact=True).check()

    def about_you(page):
        page.get_by_label("Publish my recording", exact=True).check()
        page.get_by_label("Anonymous", exact=True).check()

    answers = {
        "about-your-story": about_your_story,
        "where-you-stand": lambda page: page.get_by_label("Immigrants").check(),
        "about-you": about_you,
    }
    walk_share_form(page, site, "", answers, start=False)
    page.get_by_label("I agree", exact=False).check()
    page.get_by_role("button", name="Send my story for review").click()
    page.wait_for_url("**/share/thanks/")
    return Story.objects.get(title=title)


def test_a_recording_is_saved_ahead_and_the_form_finds_it_held(page, site, save_screenshot):
    page.set_viewport_size({"width": 375, "height": 800})
    start_share(page, site, telling="record")
    record(page)
    upload_status = page.locator("[data-upload-status]")
    expect(upload_status).to_contain_text(SAVED)
    expect(page.locator("#id_recording_chosen")).to_have_text("Your recording (0:02)")
    # Held on the server: the field is emptied, so the story does not carry it twice.
    assert files_in_the_field(page) == 0
    held = Recording.objects.held().get()
    assert_no_violations(page, "share form with a recording saved ahead")
    save_screenshot("recording saved ahead")

    story = send(page, site, "Saved ahead of the form")
    assert story.recording.pk == held.pk
    assert story.body == ""


def test_a_lost_connection_is_retried_until_the_recording_is_saved(page, site, save_screenshot):
    tries = []
    page.route(UPLOAD, dropping_the_first(tries))
    start_share(page, site, telling="record")
    record(page)
    upload_status = page.locator("[data-upload-status]")
    expect(upload_status).to_contain_text(LOST)
    expect(page.get_by_role("status").filter(has_text=LOST)).to_be_visible()
    # Meanwhile the recording stays in the field, ready to go with the form.
    assert files_in_the_field(page) == 1
    save_screenshot("recording upload, connection lost")
    # Tried again after two seconds, by itself.
    expect(upload_status).to_contain_text(SAVED, timeout=10_000)
    assert len(tries) == 2
    assert Recording.objects.held().count() == 1
    assert files_in_the_field(page) == 0


def test_a_story_sent_before_the_upload_succeeds_carries_the_recording(page, site):
    page.route(UPLOAD, lambda route: route.abort("internetdisconnected"))
    start_share(page, site, telling="record")
    record(page)
    expect(page.locator("[data-upload-status]")).to_contain_text(LOST)
    assert not Recording.objects.held().exists()

    story = send(page, site, "Sent while the connection came and went")
    assert story.recording.duration >= 1.5


def dropping_the_first(tries):
    def route(route):
        tries.append(route.request.url)
        if len(tries) == 1:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    return route


# Counts the uploads the page starts (the page's own count, read at once, not the network's).
COUNT_UPLOADS = """
window.uploadsStarted = 0;
const open = XMLHttpRequest.prototype.open;
XMLHttpRequest.prototype.open = function (method, url) {
    if (String(url).includes("/share/recording/")) window.uploadsStarted += 1;
    return open.apply(this, arguments);
};
"""


def test_the_tries_wait_two_seconds_then_longer_and_coming_online_tries_at_once(
    page, site, tmp_path
):
    # The page's clock stands still unless the test moves it: the waits are the page's own.
    page.clock.install()
    page.add_init_script(COUNT_UPLOADS)
    chosen = tmp_path / "story.wav"
    chosen.write_bytes(wav_bytes(seconds=2.0))
    page.route(UPLOAD, lambda route: route.abort("internetdisconnected"))
    start_share(page, site, telling="record")

    def started():
        return page.evaluate("window.uploadsStarted")

    upload_status = page.locator("[data-upload-status]")
    with page.expect_event("requestfailed"):
        page.locator("#id_recording").set_input_files(chosen)
    expect(upload_status).to_contain_text(LOST)
    assert started() == 1
    page.clock.run_for(1_900)
    assert started() == 1
    with page.expect_event("requestfailed"):
        page.clock.run_for(100)  # two seconds after the first
    assert started() == 2
    expect(upload_status).to_contain_text(LOST)
    page.clock.run_for(4_900)  # the next wait is five seconds
    assert started() == 2

    # The connection comes back: the page need not wait out the five seconds.
    page.unroute(UPLOAD)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(upload_status).to_contain_text(SAVED)
    assert started() == 3
    assert Recording.objects.held().count() == 1


def test_a_refused_file_is_named_in_spanish_and_not_sent_again(page, site, tmp_path):
    not_audio = tmp_path / "historia.mp3"
    not_audio.write_bytes(b"only text, not a recording " * 40)
    start_share(page, site, "/es", telling="record")
    page.locator("#id_recording").set_input_files(not_audio)
    expect(page.locator("[data-upload-status]")).to_contain_text(
        "Este archivo no es una grabación que podamos aceptar."
    )
    assert files_in_the_field(page) == 0
    expect(page.locator("#id_recording_chosen")).to_have_text("Ningún archivo elegido")
    assert not Recording.objects.held().exists()


def test_a_picked_file_is_saved_ahead_too(page, site, tmp_path):
    chosen = tmp_path / "grabacion.wav"
    chosen.write_bytes(wav_bytes(seconds=3.0))
    start_share(page, site, "/es", telling="record")
    page.locator("#id_recording").set_input_files(chosen)
    expect(page.locator("[data-upload-status]")).to_contain_text(
        "Su grabación (0:03) quedó guardada con este formulario."
    )
    expect(page.locator("#id_recording_chosen")).to_have_text("grabacion.wav")
    assert Recording.objects.held().get().duration >= 2.5
