"""The share form walked with the keyboard alone, as a narrator without a mouse meets it."""

from playwright.sync_api import expect

from stories.models import Perspective, Story

from .helpers import focused

TITLE = "Aprendí a manejar sin miedo"
BODY = "Durante años manejé con miedo a cada patrulla que veía en el espejo. " * 4

# Where each Tab lands after the skip link, in order: every field, none skipped,
# the honeypot never.
FOCUS_ORDER = [
    "/es/privacy/",  # "what we keep, and for how long", above the form
    "title",
    "prompts-by-perspective",  # the questions for each perspective, one tap away
    "body",
    "summary",
    "language",
    "content_note",
    "button",  # the recorder's "Start recording", where the browser can record
    "recording",
    "voice",
    "perspective",
    "themes",
    "suggested_theme",
    "appear",  # with JavaScript, the name box is asked only for "With a name I choose"
    "narrator_descriptor",
    "place",
    "year_happened",
    "contact_email",
    "notify_decision",
    "may_contact",
    "show_from",
    "embargo_date",
    "consent-whole-text",  # the whole consent text, one tap away from its summary
    "consent",
    "submit",
]


def test_share_form_is_complete_by_keyboard_alone_with_visible_focus(page, site):
    page.goto(site + "/es/share/")

    page.keyboard.press("Tab")
    skip_link = focused(page)
    assert skip_link["text"] == "Saltar al contenido principal"
    assert skip_link["inView"] and skip_link["outline"] >= 2
    page.keyboard.press("Enter")
    assert focused(page)["name"] == "main"

    # What the narrator does at each stop; radio groups are one stop, chosen with the arrows.
    keystrokes = {
        "title": lambda: page.keyboard.type(TITLE),
        "body": lambda: page.keyboard.type(BODY),
        # The Spanish page starts with Spanish chosen as the story's language.
        "perspective": lambda: page.keyboard.press("ArrowDown"),  # the second perspective
        "themes": lambda: page.keyboard.press("Space"),
        "appear": lambda: page.keyboard.press("Space"),  # the first choice: Anonymous
        "place": lambda: page.keyboard.type("Pacoima"),
        "consent": lambda: page.keyboard.press("Space"),
    }
    visited = []
    for _ in range(60):
        page.keyboard.press("Tab")
        stop = focused(page)
        assert stop["outline"] >= 2, f"no visible focus on {stop['name']}"
        assert stop["inView"], f"{stop['name']} has focus but is off screen"
        if not visited or visited[-1] != stop["name"]:
            visited.append(stop["name"])
            keystroke = keystrokes.get(stop["name"])
            if keystroke:
                keystroke()
        if stop["name"] == "submit":
            break
    assert visited == FOCUS_ORDER

    page.keyboard.press("Enter")
    page.wait_for_url("**/es/share/thanks/")
    story = Story.objects.get(title=TITLE)
    assert story.language == "es"
    assert story.perspective == Perspective.objects.all()[1]
    assert story.narrator_name == ""
    assert story.place == "Pacoima"
    assert story.themes.count() == 1


def test_error_summary_links_take_keyboard_focus_to_the_field(page, site):
    page.goto(site + "/es/share/")
    page.get_by_label("Título").focus()
    page.keyboard.press("Enter")  # an empty form, sent from its first field

    expect(page.locator(".error-summary")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator(".error-summary a").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Título")).to_be_focused()
    assert page.get_by_label("Título").get_attribute("aria-invalid") == "true"
