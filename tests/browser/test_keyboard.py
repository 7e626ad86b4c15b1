"""The share form walked with the keyboard alone, as a narrator without a mouse meets it."""

from playwright.sync_api import expect

from stories.models import Perspective, Story

from .helpers import continue_to, focused, start_share

TITLE = "Aprendí a manejar sin miedo"
BODY = "Aprendí a manejar de noche, cuando nadie me veía, con mi tío al lado. " * 4

# Where each Tab lands after the skip link, page by page, in order: every field,
# none skipped, the honeypot never. The story is recorded (the harder road).
FIRST_PAGE = ["/es/privacy/", "telling"]  # "what we keep", then "Grabarla" ("Record it")
FOCUS_ORDER = {
    "story": [
        "button",  # the recorder's "Start recording", then its "Stop" and "Record again"
        "audio",  # the recording, to listen back to
        # "Have a recording already? Choose the file", closed where the browser records
        # (test_file_picker opens it and reaches the file field by keyboard)
        "summary",
        "prompts-heading",  # "Not sure where to begin?", one tap away
        "summary",  # "Add some written words (optional)", closed
        "telling",  # "Write it instead"
        "next",
    ],
    "about-your-story": ["title", "language", "summary", "content_note", "next"],
    "where-you-stand": ["perspective", "themes", "suggested_theme", "next"],
    # With JavaScript, the name box is asked only for "With a name I choose".
    "about-you": ["appear", "narrator_descriptor", "place", "year_happened", "voice", "next"],
    # With JavaScript, the date is asked only for "Not before a date I choose".
    "details": [
        "show_from",
        "contact_email",
        "notify_decision",
        "may_contact",
        "next",
    ],
    "check": [
        # Each answer's Change link, to the step it is changed on, in the answers' order:
        # what readers will see of the narrator, then the steps' order: the recording, the
        # title and the language (two links to one step, one stop as tab_through counts),
        # the perspective and themes, the voice, when it is shown.
        "/es/share/about-you/",
        "/es/share/story/",
        "/es/share/about-your-story/",
        "/es/share/where-you-stand/",
        "/es/share/about-you/",
        "/es/share/details/",
        "consent-whole-text",  # the whole consent text, one tap away from its summary
        "licence",  # what readers may do: one stop, the default selected
        "consent",
        "send",
    ],
}


def skip_to_main(page):
    page.keyboard.press("Tab")
    skip_link = focused(page)
    assert skip_link["text"] == "Saltar al contenido principal"
    assert skip_link["inView"] and skip_link["outline"] >= 2
    page.keyboard.press("Enter")
    assert focused(page)["name"] == "main"


def tab_through(page, keystrokes, last):
    """Tab from the main content to ``last``, doing at each stop what ``keystrokes`` says."""
    visited = []
    for _ in range(40):
        page.keyboard.press("Tab")
        stop = focused(page)
        # Chromium rings the player's own controls, inside the element (seen in a screenshot).
        if stop["tag"] != "audio":
            assert stop["outline"] >= 2, f"no visible focus on {stop['name']}"
        assert stop["inView"], f"{stop['name']} has focus but is off screen"
        if not visited or visited[-1] != stop["name"]:
            visited.append(stop["name"])
            keystroke = keystrokes.get(stop["name"])
            if keystroke:
                keystroke()
        if stop["name"] == last:
            return visited
    raise AssertionError(f"Tab never reached {last}: {visited}")


def record_by_keyboard(page):
    page.keyboard.press("Enter")
    # Focus follows the recorder's controls: Stop, then Record again.
    page.wait_for_function("() => document.activeElement.dataset.action === 'stop'")
    page.wait_for_function("() => document.querySelector('[data-clock]').textContent >= '0:02'")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.dataset.action === 'again'")
    page.wait_for_function("() => document.querySelector('[data-playback]').readyState >= 1")


def test_share_form_is_complete_by_keyboard_alone_with_visible_focus(page, site):
    page.goto(site + "/es/share/")
    skip_to_main(page)
    assert tab_through(page, {}, "telling") == FIRST_PAGE
    assert focused(page)["text"].startswith("Grabarla")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # What the narrator does at each stop; radio groups are one stop, chosen with the arrows.
    keystrokes = {
        "story": {"button": lambda: record_by_keyboard(page)},
        "about-your-story": {
            "title": lambda: page.keyboard.type(TITLE),
            # The Spanish page starts with Spanish chosen as the story's language.
        },
        "where-you-stand": {
            "perspective": lambda: page.keyboard.press("ArrowDown"),  # the second perspective
            "themes": lambda: page.keyboard.press("Space"),
        },
        "about-you": {
            "appear": lambda: page.keyboard.press("Space"),  # the first choice: Anonymous
            "place": lambda: page.keyboard.type("Pacoima"),
            "voice": lambda: page.keyboard.press("Space"),  # the first: keep my voice private
        },
        "details": {},
        "check": {
            "licence": lambda: page.keyboard.press("ArrowDown"),  # the stricter one
            "consent": lambda: page.keyboard.press("Space"),
        },
    }
    for slug, last in [(slug, "next") for slug in list(FOCUS_ORDER)[:-1]] + [("check", "send")]:
        assert page.url == f"{site}/es/share/{slug}/"
        skip_to_main(page)
        assert tab_through(page, keystrokes[slug], last) == FOCUS_ORDER[slug], slug
        with page.expect_navigation():
            page.keyboard.press("Enter")  # Continuar, and at last "Enviar para revisión"

    page.wait_for_url("**/es/share/thanks/")
    story = Story.objects.get(title=TITLE)
    assert story.language == "es"
    assert story.perspective == Perspective.objects.all()[1]
    assert story.narrator_name == ""
    assert story.place == "Pacoima"
    assert story.licence.code == "all-rights-reserved"
    assert story.themes.count() == 1
    assert story.body == "" and story.recording.duration >= 1.5
    assert story.voice == Story.Voice.PRIVATE


def test_error_summary_links_take_keyboard_focus_to_the_field(page, site):
    start_share(page, site, "/es")
    page.get_by_role("textbox", name="Su historia", exact=True).fill(BODY)
    continue_to(page, "about-your-story")
    page.get_by_label("Título").focus()
    page.keyboard.press("Enter")  # an empty step, sent from its first field

    expect(page.locator(".error-summary")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator(".error-summary a").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Título")).to_be_focused()
    assert page.get_by_label("Título").get_attribute("aria-invalid") == "true"
