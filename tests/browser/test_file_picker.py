"""The recording's file picker is in the page's language with JavaScript; without, the browser's."""

import pytest
from playwright.sync_api import expect

from ..factories import wav_bytes
from .helpers import assert_no_violations, focused, start_share

WORDS = {
    "en": {
        "prefix": "",
        "label": "A recording of your story",
        "choose": "Choose a recording file",
        "none": "No file chosen",
        "upload instead": "Have a recording already? Choose the file",
    },
    "es": {
        "prefix": "/es",
        "label": "Una grabación de su historia",
        "choose": "Elegir un archivo de grabación",
        "none": "Ningún archivo elegido",
        "upload instead": "¿Ya tiene una grabación? Elija el archivo",
    },
}

HIDDEN_BUT_THERE = """(input) => {
    const style = getComputedStyle(input);
    const box = input.getBoundingClientRect();
    return {opacity: style.opacity, width: box.width, display: style.display};
}"""


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("width", [375, 1280])
def test_the_picker_is_labelled_in_the_page_s_language(
    page, site, save_screenshot, tmp_path, language, width
):
    words = WORDS[language]
    page.set_viewport_size({"width": width, "height": 800})
    start_share(page, site, words["prefix"], telling="record")
    # Where the browser can record, the file is the other way in, one tap away.
    page.get_by_text(words["upload instead"]).click()
    button = page.locator(".file-picker-button")
    expect(button).to_be_visible()
    expect(button).to_have_text(words["choose"])
    chosen = page.locator("#id_recording_chosen")
    expect(chosen).to_have_text(words["none"])
    # The browser's own input is still there, transparent over the button, where a tap lands.
    field = page.locator("#id_recording")
    seen = field.evaluate(HIDDEN_BUT_THERE)
    assert seen["opacity"] == "0" and seen["width"] > 0 and seen["display"] != "none"
    assert field.bounding_box() == button.bounding_box()
    # Its name is the field's label; the help and what was chosen describe it.
    expect(page.get_by_label(words["label"], exact=True)).to_have_id("id_recording")
    assert field.get_attribute("aria-describedby") == "id_recording_help id_recording_chosen"
    field.scroll_into_view_if_needed()
    assert_no_violations(page, f"share form with the file picker, {language}")
    save_screenshot(f"file picker, {language}")

    story = tmp_path / "mi-historia.wav"
    story.write_bytes(wav_bytes(seconds=2.0))
    field.set_input_files(story)
    expect(chosen).to_have_text("mi-historia.wav")
    expect(page.locator("[data-upload-status]")).not_to_be_empty()
    assert_no_violations(page, f"share form with a file chosen, {language}")
    save_screenshot(f"file picker with a file chosen, {language}")


def test_the_keyboard_reaches_the_picker_and_opens_it(page, site):
    start_share(page, site, "/es", telling="record")
    page.get_by_role("button", name="Empezar a grabar").focus()
    page.keyboard.press("Tab")
    assert focused(page)["text"] == WORDS["es"]["upload instead"]  # its <summary>, closed
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    stop = focused(page)
    assert stop["name"] == "recording"
    assert stop["outline"] >= 2 and stop["inView"]
    # The ring shows on the button the narrator sees.
    ring = page.locator(".file-picker-button").evaluate("(b) => getComputedStyle(b).outlineWidth")
    assert ring == "3px"
    for key in ("Enter", "Space"):
        with page.expect_file_chooser() as chooser:
            ready_for_the_chooser(page)
            page.keyboard.press(key)
        assert chooser.value.element.get_attribute("id") == "id_recording"


def ready_for_the_chooser(page):
    """A round trip to the page, so Playwright catches the chooser before a key can open it.

    Without it, Enter (which opens the chooser at once, on keydown) can beat it: no event.
    """
    page.evaluate("0")


def test_a_tap_on_the_button_opens_the_browser_s_chooser(page, site):
    page.set_viewport_size({"width": 375, "height": 800})
    start_share(page, site, "/es", telling="record")
    page.get_by_text(WORDS["es"]["upload instead"]).click()
    button = page.locator(".file-picker-button")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    # Where the narrator taps the button they see, the browser's own input takes the tap.
    with page.expect_file_chooser():
        ready_for_the_chooser(page)
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_a_recording_made_here_is_named_as_a_recording(page, site):
    start_share(page, site, "/es", telling="record")
    page.get_by_role("button", name="Empezar a grabar").click()
    page.wait_for_function("() => document.querySelector('[data-clock]').textContent >= '0:02'")
    page.get_by_role("button", name="Terminar").click()
    expect(page.locator("#id_recording_chosen")).to_have_text("Su grabación (0:02)")
    page.get_by_role("button", name="Volver a grabar").click()
    expect(page.locator("#id_recording_chosen")).to_have_text("Ningún archivo elegido")


def test_without_javascript_the_browser_s_own_picker_shows(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    start_share(page, site, "/es", telling="record")
    expect(page.locator("#id_recording")).to_be_visible()
    assert page.locator("#id_recording").evaluate(HIDDEN_BUT_THERE)["opacity"] == "1"
    expect(page.locator(".file-picker-button")).to_be_hidden()
    expect(page.locator("#id_recording_chosen")).to_be_hidden()
    context.close()
